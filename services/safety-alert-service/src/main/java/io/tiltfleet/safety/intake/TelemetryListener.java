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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
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
    private static final Logger log = LoggerFactory.getLogger(TelemetryListener.class);

    private final RuleEngine rules;
    private final JsonMapper json;
    private final Counter processed;
    private final BrokerLook broker;
    private final DeadLetterPublishingRecoverer deadLetters;

    TelemetryListener(RuleEngine rules, JsonMapper json, MeterRegistry registry, Clock clock, Admin brokerLookAdmin,
                      DeadLetterPublishingRecoverer deadLetters) {
        this.rules = rules;
        this.deadLetters = deadLetters;
        this.broker = new BrokerLook(clock, BrokerLook.askedBy(brokerLookAdmin));
        this.json = json;
        this.processed = Counter.builder(READINGS_PROCESSED).description("Readings run through the safety rules").register(registry);
    }

    /**
     * Runs every readable record of the batch through the rules, then dead-letters the unreadable ones,
     * before the batch returns and its offsets may be committed. A failure of either runs the whole batch
     * again (the rules recognise the readings they have seen by their seq); failing the batch at an
     * unreadable record instead had the error handler commit the records before it, unseen.
     */
    @KafkaListener(id = RULES, idIsGroup = false, topics = {Topics.TELEMETRY_READINGS, Topics.TABLE_STATUS}, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        List<TableEvent> events = new ArrayList<>(records.size());
        Map<ConsumerRecord<String, byte[]>, RuntimeException> unreadable = new LinkedHashMap<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                events.add(read(record));
            } catch (JacksonException | IllegalArgumentException e) {
                unreadable.put(record, e);
            }
        }
        decide(events, consumer);
        unreadable.forEach((record, why) -> {
            log.atWarn().addKeyValue("tableId", record.key())
                    .log("Dead-lettering unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), why.getMessage());
            deadLetters.accept(record, consumer, why);
        });
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
     * Polls that found nothing (idle-event-interval apart) move the silence clock on as well, with the
     * broker's answer waited for: no batch waits behind it. Runs on the consumer's own thread, which alone
     * may use the consumer.
     */
    @EventListener(condition = "event.listenerId.startsWith('" + RULES + "')")
    void onIdle(ListenerContainerIdleEvent event) {
        BrokerLook.Look look = broker.takeWaiting(event.getConsumer());
        rules.looked(look.at(), look.readingsLag());
    }

    /**
     * A table belongs to its readings' partition: the status topic may have another partition count, so
     * its partition numbers say nothing about which tables this instance owns.
     */
    private static List<Integer> readingPartitions(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(partition -> partition.topic().equals(Topics.TELEMETRY_READINGS)).map(TopicPartition::partition).toList();
    }

    /*
     * Boot sets this listener on the one container factory, so every container of the service calls it; only the
     * rules' own partitions concern the rules. The configuration log's reader in particular must never wait for the
     * rules: they may be waiting for it to catch up (OwnedTables).
     */
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> readings = readingPartitions(partitions);
        if (!readings.isEmpty()) {
            rules.adopt(readings);
        }
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> readings = readingPartitions(partitions);
        if (!readings.isEmpty()) {
            rules.release(readings);
        }
    }

    /** Taken away without a rebalance (this consumer was thought dead): its tables are forgotten, nothing stored. */
    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<Integer> readings = readingPartitions(partitions);
        if (!readings.isEmpty()) {
            rules.lose(readings);
        }
    }
}
