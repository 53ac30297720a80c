package io.tiltfleet.safety.monitoring;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.alerts.AlertEvents;
import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.fleetstate.LiveFeedRelay;
import io.tiltfleet.safety.fleetstate.TableLiveState;
import io.tiltfleet.safety.profiles.LimitsResolver;
import io.tiltfleet.safety.profiles.ProfileStore;
import io.tiltfleet.safety.profiles.SafetyProfile;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.SafetyLimits;
import io.tiltfleet.safety.rules.TableMonitor;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import org.apache.kafka.common.header.Headers;
import org.springframework.data.domain.Sort;
import org.springframework.data.mongodb.core.BulkOperations;
import org.springframework.data.mongodb.core.FindAndReplaceOptions;
import org.springframework.data.mongodb.core.ReactiveBulkOperations;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.index.Index;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The rule monitors of the tables whose partitions this instance owns. A table's monitor is loaded
 * from its stored memory the first time one of its events arrives, so that after a restart or a
 * rebalance nothing is forgotten and nothing raised twice. Signals are stored and published, and the
 * memory saved, before the batch returns and its offsets are committed.
 */
@Component
public class Monitors {

    /** One table: its monitor, where its events come from, and when it was last shown live. */
    private static final class Watched {
        final String fleetId;
        final String tableId;
        final TableMonitor monitor;
        final int partition;
        boolean online;
        Instant liveShownAt = Instant.EPOCH;
        /** Whether something arrived since the table was last shown live: the clock shows it once the interval has passed. */
        boolean liveUnshown;
        Instant storedAt = Instant.EPOCH;
        /** Whether the memory changed since it was last stored: the clock stores it once the checkpoint interval has passed. */
        boolean unsaved;

        Watched(String fleetId, String tableId, TableMonitor monitor, int partition, boolean online) {
            this.fleetId = fleetId;
            this.tableId = tableId;
            this.monitor = monitor;
            this.partition = partition;
            this.online = online;
        }
    }

    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** The newest event time seen per partition: the clock of a partition whose consumer is behind. */
    private final Map<Integer, Instant> partitionTime = new ConcurrentHashMap<>();
    private volatile boolean caughtUp;
    /**
     * When this instance last looked at its partitions: a poll that returned readings, or one that found
     * none. Silence is judged as of then, not of now, so that a batch that took long to store (MongoDB
     * slow) never makes the tables whose next readings wait in Kafka look silent.
     */
    private volatile Instant lookedAt = Instant.EPOCH;
    /** Profile changes from the API, applied by the thread that runs the rules, so that no request waits for it. */
    private final Queue<SafetyProfile> changedProfiles = new ConcurrentLinkedQueue<>();
    /** The listener and the clock both change monitors and alerts: one at a time keeps each table's changes in order. */
    private final ReentrantLock processing = new ReentrantLock();
    private final ReactiveMongoTemplate mongo;
    private final ProfileStore profiles;
    private final LimitsResolver limits;
    private final AlertStore alerts;
    private final AlertEvents events;
    private final LiveFeedRelay relay;
    private final SafetyProperties properties;
    private final Clock clock;

    Monitors(ReactiveMongoTemplate mongo, ProfileStore profiles, LimitsResolver limits, AlertStore alerts, AlertEvents events,
             LiveFeedRelay relay, SafetyProperties properties, Clock clock) {
        this.mongo = mongo;
        this.profiles = profiles;
        this.limits = limits;
        this.alerts = alerts;
        this.events = events;
        this.relay = relay;
        this.properties = properties;
        this.clock = clock;
    }

    /** An event of the batch, already read from its record. */
    sealed interface TableEvent permits Reading, Status {
        String fleetId();

        String tableId();

        int partition();

        /** The headers of the record it came from: they carry the trace that alerts it causes continue. */
        Headers origin();
    }

    record Reading(TelemetryReading reading, int partition, Instant observedAt, Headers origin) implements TableEvent {
        public String fleetId() {
            return reading.fleetId();
        }

        public String tableId() {
            return reading.tableId();
        }
    }

    record Status(TableStatus status, int partition, Instant observedAt, Headers origin) implements TableEvent {
        public String fleetId() {
            return status.fleetId();
        }

        public String tableId() {
            return status.tableId();
        }
    }

    /**
     * Runs one batch through the rules; returns once alerts and memories are stored.
     *
     * @param lastOfBacklog whether the poll drained what the partitions held, so that wall-clock time
     *                      may judge silence again
     */
    void process(List<TableEvent> batch, boolean lastOfBacklog) {
        processing.lock();
        try {
            applyChangedProfiles();
            caughtUp = lastOfBacklog;
            Map<String, Watched> touched = new LinkedHashMap<>();
            List<AlertSignal> signals = new ArrayList<>();
            Map<AlertSignal, Headers> causes = new IdentityHashMap<>();
            for (TableEvent event : batch) {
                String key = keyOf(event.fleetId(), event.tableId());
                Watched table = watched.computeIfAbsent(key, k -> load(event.fleetId(), event.tableId(), event.partition()));
                List<AlertSignal> caused = List.of();
                if (event instanceof Reading reading) {
                    partitionTime.merge(event.partition(), reading.observedAt(), (a, b) -> a.isAfter(b) ? a : b);
                    table.online = true;
                    caused = table.monitor.onReading(reading.reading(), reading.observedAt());
                } else if (event instanceof Status status) {
                    table.online = status.status().state() == TableStatus.State.ONLINE;
                    caused = table.monitor.onStatus(status.status(), status.observedAt());
                }
                caused.forEach(signal -> causes.put(signal, event.origin()));
                signals.addAll(caused);
                touched.put(key, table);
            }
            settle(signals, causes, touched);
        } finally {
            processing.unlock();
        }
    }

    /**
     * Lets time pass for every owned table: silence is noticed without any new event, and the last
     * state of a table that has gone quiet is stored and shown even though no event follows it. While this
     * instance is behind on its partitions, a partition's time is the newest event read from it, so
     * that its own backlog never makes tables look silent.
     */
    void tick() {
        processing.lock();
        try {
            applyChangedProfiles();
            Instant now = clock.instant();
            Map<String, Watched> touched = new LinkedHashMap<>();
            List<AlertSignal> signals = new ArrayList<>();
            watched.forEach((key, table) -> {
                Instant time = caughtUp ? (lookedAt.isBefore(now) ? lookedAt : now) : partitionTime.getOrDefault(table.partition, now);
                List<AlertSignal> changes = table.monitor.onClock(time);
                if (!changes.isEmpty()) {
                    signals.addAll(changes);
                    touched.put(key, table);
                }
            });
            settle(signals, Map.of(), touched);
            Map<String, Watched> unsaved = new LinkedHashMap<>();
            watched.forEach((key, table) -> {
                if (table.unsaved && !touched.containsKey(key)) {
                    unsaved.put(key, table);
                }
            });
            store(unsaved, List.of(), now);
            watched.values().stream().filter(table -> table.liveUnshown && !touched.containsValue(table))
                    .forEach(table -> showLive(table, now, false));
        } finally {
            processing.unlock();
        }
    }

    /** The consumer polled its partitions at {@code at}, whether it found readings or none. */
    void lookedAt(Instant at) {
        lookedAt = at;
    }

    /** Forgets the tables of partitions this instance no longer owns; their new owner loads them from storage. */
    void release(Collection<Integer> partitions) {
        processing.lock();
        try {
            watched.values().removeIf(table -> partitions.contains(table.partition));
            partitionTime.keySet().removeAll(partitions);
        } finally {
            processing.unlock();
        }
    }

    /** A profile changed: the table's monitor, if this instance owns it, uses the new limits from its next event or tick. */
    public void apply(SafetyProfile profile) {
        changedProfiles.add(profile);
    }

    private void applyChangedProfiles() {
        for (SafetyProfile profile = changedProfiles.poll(); profile != null; profile = changedProfiles.poll()) {
            Watched table = watched.get(keyOf(profile.fleetId(), profile.tableId()));
            if (table != null) {
                table.monitor.apply(limits.limitsFor(profile.fleetId(), profile));
            }
        }
    }

    private void settle(List<AlertSignal> signals, Map<AlertSignal, Headers> causes, Map<String, Watched> touched) {
        Flux.fromIterable(signals)
                .concatMap(signal -> alerts.apply(signal).flatMap(alert -> events.publish(alert, signal.change().name(),
                        signal.reading() == null ? null : signal.reading().ts(), causes.get(signal))))
                .then().block();
        Instant now = clock.instant();
        store(touched, signals, now);
        touched.values().forEach(table -> showLive(table, now, !signals.isEmpty()));
    }

    /**
     * Stores, in one bulk write, the memory of every table whose alerts changed, and of the others at
     * most once per checkpoint interval: open conditions are never lost, while counters such as the
     * time above the limit may restart from up to one interval earlier after a restart.
     */
    private void store(Map<String, Watched> touched, List<AlertSignal> signals, Instant now) {
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, TableStateDocument.class);
        Set<String> alertsChanged = signals.stream().map(signal -> keyOf(signal.fleetId(), signal.tableId())).collect(Collectors.toSet());
        int writes = 0;
        for (Map.Entry<String, Watched> entry : touched.entrySet()) {
            Watched table = entry.getValue();
            if (alertsChanged.contains(entry.getKey()) || Duration.between(table.storedAt, now).compareTo(properties.memoryCheckpoint()) >= 0) {
                bulk.replaceOne(query(where("_id").is(entry.getKey())), document(table), FindAndReplaceOptions.options().upsert());
                table.storedAt = now;
                table.unsaved = false;
                writes++;
            } else {
                table.unsaved = true;
            }
        }
        if (writes > 0) {
            bulk.execute().block();
        }
    }

    private void showLive(Watched table, Instant now, boolean alertsChanged) {
        if (!alertsChanged && Duration.between(table.liveShownAt, now).compareTo(properties.liveStateEvery()) < 0) {
            table.liveUnshown = true;
            return;
        }
        table.liveShownAt = now;
        table.liveUnshown = false;
        relay.share(liveState(document(table)));
    }

    private Watched load(String fleetId, String tableId, int partition) {
        String key = keyOf(fleetId, tableId);
        SafetyProfile profile = profiles.find(fleetId, tableId).block();
        SafetyLimits tableLimits = limits.limitsFor(fleetId, profile);
        TableStateDocument stored = mongo.findById(key, TableStateDocument.class).block();
        TableMonitor monitor = stored == null ? new TableMonitor(fleetId, tableId, tableLimits)
                : TableMonitor.remembering(fleetId, tableId, tableLimits, stored.memory());
        return new Watched(fleetId, tableId, monitor, partition, stored == null || stored.online());
    }

    private static TableStateDocument document(Watched table) {
        return TableStateDocument.of(table.fleetId, table.tableId, table.online, table.monitor.memory());
    }

    static TableLiveState liveState(TableStateDocument state) {
        TelemetryReading last = state.last();
        boolean inSession = last != null && last.sessionId() != null && last.angleDeg() > 0;
        return new TableLiveState(state.fleetId(), state.tableId(), state.online(), last == null ? null : last.angleDeg(), inSession,
                inSession ? last.elapsedS() : null, state.lastObservedAt(),
                state.active() == null ? List.of() : state.active().keySet().stream().map(Enum::name).sorted().toList());
    }

    /** The fleet views read the table states of one fleet. */
    public Mono<Void> createIndexes() {
        return mongo.indexOps(TableStateDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)).then();
    }

    /** The live state of a fleet's tables, from storage: complete whichever instance owns which table. */
    public Flux<TableLiveState> fleet(String fleetId) {
        return mongo.find(query(where("fleetId").is(fleetId)), TableStateDocument.class).map(Monitors::liveState);
    }

    static String keyOf(String fleetId, String tableId) {
        return fleetId + "/" + tableId;
    }
}
