package io.tiltfleet.safety.intake;

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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Feeds readings and statuses to the rules, a batch at a time; the container commits the batch's
 * offsets only after {@link RuleEngine#process} has stored everything it decided. A record that cannot
 * be read goes to the dead-letter topic instead of stalling its partition.
 */
@Component
class TelemetryListener implements ConsumerAwareRebalanceListener {

    static final String READINGS_PROCESSED = "tiltfleet.safety.readings.processed";
    static final String RULES = "safety-rules";

    private final RuleEngine rules;
    private final JsonMapper json;
    private final Counter processed;
    private final BrokerLook broker;

    TelemetryListener(RuleEngine rules, JsonMapper json, MeterRegistry registry, Clock clock, Admin brokerLookAdmin) {
        this.rules = rules;
        this.broker = new BrokerLook(clock, BrokerLook.askedBy(brokerLookAdmin));
        this.json = json;
        this.processed = Counter.builder(READINGS_PROCESSED).description("Readings run through the safety rules").register(registry);
    }

    /**
     * An unreadable record fails the batch at its index: the error handler then commits the records
     * before it and dead-letters it, so those records are run through the rules first, or they would
     * be committed unseen.
     */
    @KafkaListener(id = RULES, idIsGroup = false, topics = {Topics.TELEMETRY_READINGS, Topics.TABLE_STATUS}, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        List<TableEvent> events = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                events.add(read(records.get(i)));
            } catch (JacksonException | IllegalArgumentException e) {
                decide(events, consumer);
                ConsumerRecord<String, byte[]> unreadable = records.get(i);
                throw new BatchListenerFailedException("unreadable " + unreadable.topic() + " record: " + e.getMessage(), e, i);
            }
        }
        decide(events, consumer);
    }

    private void decide(List<TableEvent> events, Consumer<?, ?> consumer) {
        BrokerLook.Look look = broker.take(consumer);
        try {
            rules.process(events, look.at(), look.readingsLag());
        } catch (RuntimeException e) {
            broker.forgetLastLook();
            throw e;
        }
        processed.increment(events.stream().filter(TableEvent.Reading.class::isInstance).count());
    }

    private TableEvent read(ConsumerRecord<String, byte[]> record) {
        Instant observedAt = Instant.ofEpochMilli(record.timestamp());
        return Topics.TABLE_STATUS.equals(record.topic())
                ? new TableEvent.Status(json.readValue(record.value(), TableStatus.class), record.partition(), observedAt, record.headers())
                : new TableEvent.Reading(json.readValue(record.value(), TelemetryReading.class), record.partition(), observedAt, record.headers());
    }

    /**
     * Polls that found nothing (idle-event-interval apart) move the silence clock on as well. Runs on the
     * consumer's own thread, which alone may use the consumer.
     */
    @EventListener(condition = "event.listenerId.startsWith('" + RULES + "')")
    void onIdle(ListenerContainerIdleEvent event) {
        BrokerLook.Look look = broker.take(event.getConsumer());
        rules.looked(look.at(), look.readingsLag());
    }

    /**
     * A table belongs to its readings' partition: the status topic may have another partition count, so
     * its partition numbers say nothing about which tables this instance owns.
     */
    private static List<Integer> readingPartitions(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(partition -> partition.topic().equals(Topics.TELEMETRY_READINGS)).map(TopicPartition::partition).toList();
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        rules.adopt(readingPartitions(partitions));
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        rules.release(readingPartitions(partitions));
    }

    /** Taken away without a rebalance (this consumer was thought dead): its tables are forgotten, nothing stored. */
    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        rules.lose(readingPartitions(partitions));
    }
}
