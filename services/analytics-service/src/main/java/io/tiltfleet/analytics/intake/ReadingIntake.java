package io.tiltfleet.analytics.intake;

import io.tiltfleet.analytics.AnalyticsProperties;
import io.tiltfleet.analytics.sessions.SessionDocument;
import io.tiltfleet.analytics.sessions.SessionReconstructor;
import io.tiltfleet.analytics.sessions.SessionStore;
import io.tiltfleet.analytics.sessions.SessionSummary;
import io.tiltfleet.analytics.sessions.TraceDocument;
import io.tiltfleet.analytics.usage.RollupStore;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.event.ListenerContainerIdleEvent;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ListenerUtils;
import org.springframework.stereotype.Component;
import org.springframework.util.backoff.BackOffExecution;
import org.springframework.util.backoff.ExponentialBackOff;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the telemetry topic into sessions and rollups. Offsets are committed by this class, only
 * after the sessions a batch closed are stored, and never past the first reading of a session that
 * is still open (see {@link SessionBook}). When MongoDB refuses a write, everything held in memory
 * is dropped and the partitions are read again from the last commit after a pause, so that no
 * session is lost half-built. Everything here runs on the one consumer thread.
 */
@Component
class ReadingIntake implements ConsumerAwareRebalanceListener {

    static final String LISTENER_ID = "analytics-sessions";
    private static final Logger log = LoggerFactory.getLogger(ReadingIntake.class);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(60);
    /**
     * How often a busy intake looks for idle sessions and commits: both walk every table, and a commit
     * waits for the broker, so doing them after each of many small batches cost a fifth of the intake's
     * processor; a minute-long idle timeout loses nothing by a second's delay.
     */
    private static final Duration HOUSEKEEPING_EVERY = Duration.ofSeconds(1);

    private record Positioned(TelemetryReading reading, int partition, long offset, Instant arrived) {
    }

    /** A batch's readings to count, and how many of its records were not readings or were dated implausibly. */
    private record Read(List<Positioned> readings, int unreadable, int misdated) {
    }

    private final SessionBook book;
    private final SessionStore sessions;
    private final RollupStore rollups;
    private final ProgressStore progress;
    private final IntakeMetrics metrics;
    private final JsonMapper json;
    private final Clock clock;
    private final KafkaListenerEndpointRegistry containers;
    private final ExponentialBackOff storeRetry;
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private BackOffExecution failing;
    private Instant lastHousekeeping = Instant.MIN;
    private volatile String storeFailure;

    ReadingIntake(SessionStore sessions, RollupStore rollups, ProgressStore progress, IntakeMetrics metrics, JsonMapper json,
                  Clock clock, KafkaListenerEndpointRegistry containers, AnalyticsProperties properties) {
        this.book = new SessionBook(properties.idleTimeout(), properties.arrivalDisorder(), properties.reorderWindow(),
                properties.maxClockSkew());
        this.sessions = sessions;
        this.rollups = rollups;
        this.progress = progress;
        this.metrics = metrics;
        this.json = json;
        this.clock = clock;
        this.containers = containers;
        this.storeRetry = new ExponentialBackOff(200, 2);
        this.storeRetry.setMaxInterval(properties.storeRetryMax().toMillis());
    }

    @KafkaListener(id = LISTENER_ID, idIsGroup = false, topics = Topics.TELEMETRY_READINGS, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        Read read = read(records);
        List<Positioned> readings = read.readings();
        try {
            followNewTables(readings);
            List<SessionSummary> closed = new ArrayList<>();
            readings.forEach(r -> closed.addAll(book.onReading(r.reading(), r.partition(), r.offset(), r.arrived())));
            Instant now = clock.instant();
            // a clock set back must not hold the commits off until it has caught up again
            boolean housekeeping = now.isBefore(lastHousekeeping) || !now.isBefore(lastHousekeeping.plus(HOUSEKEEPING_EVERY));
            if (housekeeping) {
                closed.addAll(book.closeIdle(now, lag(consumer)));
            }
            store(closed);
            if (housekeeping) {
                commit(consumer);
                lastHousekeeping = now;
            }
            metrics.consumed(readings.size(), read.unreadable(), read.misdated(), book.takeLate());
        } catch (RuntimeException storeFailure) {
            rewind(consumer, storeFailure);
        }
    }

    /** No reading for a while: sessions may still have gone idle by the wall clock. */
    @EventListener(condition = "event.listenerId.startsWith('" + LISTENER_ID + "')")
    void onIdle(ListenerContainerIdleEvent event) {
        try {
            store(book.closeIdle(clock.instant(), lag(event.getConsumer())));
            commit(event.getConsumer());
        } catch (RuntimeException storeFailure) {
            rewind(event.getConsumer(), storeFailure);
        }
    }

    private Read read(List<ConsumerRecord<String, byte[]>> records) {
        List<Positioned> readings = new ArrayList<>(records.size());
        int misdated = 0;
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                TelemetryReading reading = json.readValue(record.value(), TelemetryReading.class);
                Instant arrived = Instant.ofEpochMilli(record.timestamp());
                if (book.trusts(reading, arrived)) {
                    readings.add(new Positioned(reading, record.partition(), record.offset(), arrived));
                } else {
                    log.atWarn().addKeyValue("fleetId", reading.fleetId()).addKeyValue("tableId", reading.tableId())
                            .log("not counting reading {} of {}: dated {}, it reached the platform at {}", reading.seq(),
                                    SessionBook.keyOf(reading.fleetId(), reading.tableId()), reading.ts(), arrived);
                    book.skip(record.partition(), record.offset());
                    misdated++;
                }
            } catch (JacksonException | IllegalArgumentException e) {
                // the ingest only forwards validated readings: this record is foreign, and the safety service dead-letters it
                log.atWarn().addKeyValue("tableId", record.key())
                        .log("skipping unreadable record {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
                book.skip(record.partition(), record.offset());
            }
        }
        return new Read(readings, records.size() - readings.size() - misdated, misdated);
    }

    private void followNewTables(List<Positioned> readings) {
        Map<String, Positioned> unknown = new LinkedHashMap<>();
        readings.stream().filter(r -> !book.knows(r.reading().fleetId(), r.reading().tableId()))
                .forEach(r -> unknown.putIfAbsent(SessionBook.keyOf(r.reading().fleetId(), r.reading().tableId()), r));
        if (unknown.isEmpty()) {
            return;
        }
        Map<String, ProgressDocument> stored = progress.find(unknown.keySet()).block(STORE_TIMEOUT);
        unknown.forEach((key, first) -> book.follow(first.reading().fleetId(), first.reading().tableId(), first.partition(),
                stored.containsKey(key) ? stored.get(key).progress() : SessionReconstructor.Progress.NONE));
    }

    /** Sessions, their traces, then rollups, then progress: a crash in between replays readings that give the same documents again. */
    private void store(List<SessionSummary> closed) {
        if (!closed.isEmpty()) {
            Set<ProgressDocument> reached = closed.stream()
                    .map(s -> ProgressDocument.of(SessionBook.keyOf(s.fleetId(), s.tableId()), book.progressOf(s.fleetId(), s.tableId())))
                    .collect(Collectors.toSet());
            List<SessionDocument> stored = closed.stream().map(SessionDocument::of).toList();
            sessions.storeAll(stored).block(STORE_TIMEOUT);
            sessions.storeTraces(closed.stream().map(TraceDocument::of).toList()).block(STORE_TIMEOUT);
            rollups.recompute(stored, STORE_TIMEOUT);
            progress.storeAll(reached).block(STORE_TIMEOUT);
            metrics.closed(closed);
        }
        failing = null;
        storeFailure = null;
    }

    /** Commits what no open session still needs, once what closed is stored. */
    private void commit(Consumer<?, ?> consumer) {
        Map<TopicPartition, OffsetAndMetadata> advanced = new HashMap<>();
        book.committable().forEach((partition, offset) -> {
            TopicPartition topicPartition = new TopicPartition(Topics.TELEMETRY_READINGS, partition);
            if (offset > committed.getOrDefault(topicPartition, -1L)) {
                advanced.put(topicPartition, new OffsetAndMetadata(offset));
            }
        });
        if (!advanced.isEmpty()) {
            consumer.commitSync(advanced);
            advanced.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        }
        metrics.state(book.openSessions(), lag(consumer).values().stream().mapToLong(l -> l.orElse(0)).sum());
    }

    private void rewind(Consumer<?, ?> consumer, RuntimeException failure) {
        metrics.storeFailed();
        if (failing == null) {
            failing = storeRetry.start();
        }
        long pause = failing.nextBackOff();
        storeFailure = failure.toString();
        log.warn("storing sessions failed, reading again from the last commit in {} ms: {}", pause, failure.toString());
        book.clear();
        committed.forEach(consumer::seek);
        try {
            ListenerUtils.stoppableSleep(containers.getListenerContainer(LISTENER_ID), pause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Why the last attempt to store failed, or null once storing works. */
    String storeFailure() {
        return storeFailure;
    }

    private static Map<Integer, OptionalLong> lag(Consumer<?, ?> consumer) {
        return consumer.assignment().stream().collect(Collectors.toMap(TopicPartition::partition, consumer::currentLag));
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<TopicPartition> readings = readingsOnly(partitions);
        if (readings.isEmpty()) {
            return;   // another container's thread: the book is the intake thread's alone
        }
        book.assigned(readings.stream().map(TopicPartition::partition).toList());
        readings.forEach(partition -> committed.put(partition, consumer.position(partition)));
    }

    @Override
    public void onPartitionsRevokedAfterCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        List<TopicPartition> readings = readingsOnly(partitions);
        if (readings.isEmpty()) {
            return;
        }
        book.release(readings.stream().map(TopicPartition::partition).toList());
        committed.keySet().removeAll(readings);
    }

    /** Boot makes this the rebalance listener of every container, the table registry's included: only readings partitions are the intake's. */
    private static List<TopicPartition> readingsOnly(Collection<TopicPartition> partitions) {
        return partitions.stream().filter(partition -> partition.topic().equals(Topics.TELEMETRY_READINGS)).toList();
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        onPartitionsRevokedAfterCommit(consumer, partitions);
    }
}
