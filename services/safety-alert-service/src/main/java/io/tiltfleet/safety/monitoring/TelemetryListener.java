package io.tiltfleet.safety.monitoring;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feeds readings and statuses to the monitors, a batch at a time; the container commits the batch's
 * offsets only after {@link Monitors#process} has stored everything it decided. A record that cannot
 * be read goes to the dead-letter topic instead of stalling its partition.
 */
@Component
class TelemetryListener implements ConsumerAwareRebalanceListener {

    static final String READINGS_PROCESSED = "tiltfleet.safety.readings.processed";
    static final String RULES = "safety-rules";

    private final Monitors monitors;
    private final JsonMapper json;
    private final Counter processed;
    private final int maxPollRecords;
    private final Clock clock;

    TelemetryListener(Monitors monitors, JsonMapper json, MeterRegistry registry, KafkaProperties kafka, Clock clock) {
        this.monitors = monitors;
        this.clock = clock;
        this.maxPollRecords = kafka.getConsumer().getMaxPollRecords() == null ? 500 : kafka.getConsumer().getMaxPollRecords();
        this.json = json;
        this.processed = Counter.builder(READINGS_PROCESSED).description("Readings run through the safety rules").register(registry);
    }

    @KafkaListener(id = RULES, idIsGroup = false, topics = {Topics.TELEMETRY_READINGS, Topics.TABLE_STATUS}, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        monitors.lookedAt(clock.instant());
        List<Monitors.TableEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            events.add(read(records.get(i), i));
        }
        monitors.process(events, records.size() < maxPollRecords);
        processed.increment(events.stream().filter(Monitors.Reading.class::isInstance).count());
    }

    private Monitors.TableEvent read(ConsumerRecord<String, byte[]> record, int index) {
        Instant observedAt = Instant.ofEpochMilli(record.timestamp());
        try {
            return Topics.TABLE_STATUS.equals(record.topic())
                    ? new Monitors.Status(json.readValue(record.value(), TableStatus.class), record.partition(), observedAt, record.headers())
                    : new Monitors.Reading(json.readValue(record.value(), TelemetryReading.class), record.partition(), observedAt, record.headers());
        } catch (JacksonException | IllegalArgumentException e) {
            throw new BatchListenerFailedException("unreadable " + record.topic() + " record: " + e.getMessage(), e, index);
        }
    }

    /** Polls that found nothing (idle-event-interval apart) move the silence clock on as well. */
    @EventListener(condition = "event.listenerId.startsWith('" + RULES + "')")
    void onIdle(ListenerContainerIdleEvent event) {
        monitors.lookedAt(clock.instant());
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        monitors.release(partitions.stream().map(TopicPartition::partition).toList());
    }
}
