package io.tiltfleet.safety.monitoring;

import static org.springframework.data.mongodb.core.query.Criteria.where;
import static org.springframework.data.mongodb.core.query.Query.query;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.alerts.Alert;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
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
 * The rule monitors of the tables whose partitions this instance owns. The tables of a newly assigned
 * partition are loaded from their stored memory at once (a table silent while inverted has no next
 * event to wait for), any other the first time one of its events arrives, so that after a restart or a
 * rebalance nothing is forgotten and nothing raised twice.
 * <p>
 * What the rules decide is kept as {@link Decision}s until it is stored and published, and the
 * memory saved only after that, before the batch returns and its offsets are committed. A decision
 * whose write fails stays due, and the next batch, redelivery or tick first finishes it, step by step:
 * the memory already counts its readings as seen, so re-running them would decide nothing again. Only
 * when its table's partition moves to another instance is a due decision dropped: the new owner loads
 * the memory stored before it and decides again from the uncommitted records.
 */
@Component
public class Monitors {

    /** One table: its monitor, where its events come from, and when it was last shown live. */
    private static final class Watched {
        final String fleetId;
        final String tableId;
        final TableMonitor monitor;
        /** Its readings' partition; a table first seen through its status is moved there by its first reading. */
        int partition;
        boolean online;
        Instant liveShownAt = Instant.EPOCH;
        /** Whether something arrived since the table was last shown live: the clock shows it once the interval has passed. */
        boolean liveUnshown;
        Instant storedAt = Instant.EPOCH;
        /** Whether the memory changed since it was last stored: the clock stores it once the checkpoint interval has passed. */
        boolean unsaved;
        /** Whether its alerts changed since the memory was last stored: it is stored with the next write, whatever the interval. */
        boolean alertsUnsaved;

        Watched(String fleetId, String tableId, TableMonitor monitor, int partition, boolean online) {
            this.fleetId = fleetId;
            this.tableId = tableId;
            this.monitor = monitor;
            this.partition = partition;
            this.online = online;
        }
    }

    /**
     * An alert change the rules decided, on its way to the alert store and then to Kafka. Each step is
     * started once and, when a wait for it times out, waited for again rather than started anew: a
     * write that outlasts the timeout may still land, and must not land twice.
     */
    private static final class Decision {
        final AlertSignal signal;
        /** The headers of the record whose event caused it; null when time or a profile change did. */
        final Headers cause;
        /** The alert as stored; empty when the signal concerned an alert already closed: nothing to publish. */
        CompletableFuture<Optional<Alert>> storing;
        CompletableFuture<Void> publishing;

        Decision(AlertSignal signal, Headers cause) {
            this.signal = signal;
            this.cause = cause;
        }
    }

    private static final Logger log = LoggerFactory.getLogger(Monitors.class);

    private final Map<String, Watched> watched = new ConcurrentHashMap<>();
    /** Decisions not yet stored and published, oldest first; only touched under {@link #processing}. */
    private final List<Decision> due = new ArrayList<>();
    /**
     * The readings partitions this instance owns. A failed batch is retried with the records it held,
     * even after a rebalance moved some of their partitions away: their new owner decides for those.
     */
    private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();
    /** Assigned partitions whose stored tables could not be loaded yet (MongoDB away): the clock tries again. */
    private final Set<Integer> unloadedPartitions = ConcurrentHashMap.newKeySet();
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
            deliverDue();
            applyChangedProfiles();
            caughtUp = lastOfBacklog;
            Map<String, Watched> touched = new LinkedHashMap<>();
            List<AlertSignal> signals = new ArrayList<>();
            for (TableEvent event : batch) {
                if (event instanceof Reading && !ownedPartitions.contains(event.partition())) {
                    continue;
                }
                String key = Topics.tableKey(event.fleetId(), event.tableId());
                Watched table = watched.computeIfAbsent(key, k -> load(event.fleetId(), event.tableId(), event.partition()));
                List<AlertSignal> caused = List.of();
                if (event instanceof Reading reading) {
                    table.partition = reading.partition();
                    partitionTime.merge(event.partition(), reading.observedAt(), (a, b) -> a.isAfter(b) ? a : b);
                    table.online = true;
                    caused = table.monitor.onReading(reading.reading(), reading.observedAt());
                } else if (event instanceof Status status) {
                    table.online = status.status().state() == TableStatus.State.ONLINE;
                    caused = table.monitor.onStatus(status.status(), status.observedAt());
                }
                decide(table, caused, event.origin());
                signals.addAll(caused);
                touched.put(key, table);
            }
            settle(signals, touched);
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
            loadUnloadedPartitionsOrLog();
            deliverDue();
            applyChangedProfiles();
            Instant now = clock.instant();
            Map<String, Watched> touched = new LinkedHashMap<>();
            List<AlertSignal> signals = new ArrayList<>();
            watched.forEach((key, table) -> {
                Instant partitionClock = partitionTime.get(table.partition);
                if (!caughtUp && partitionClock == null) {
                    // adopted with its partition but nothing read from it yet: its readings may be waiting in the backlog
                    return;
                }
                Instant time = caughtUp ? (lookedAt.isBefore(now) ? lookedAt : now) : partitionClock;
                List<AlertSignal> changes = table.monitor.onClock(time);
                if (!changes.isEmpty()) {
                    decide(table, changes, null);
                    signals.addAll(changes);
                    touched.put(key, table);
                }
            });
            settle(signals, touched);
            Map<String, Watched> unsaved = new LinkedHashMap<>();
            watched.forEach((key, table) -> {
                if (table.unsaved && !touched.containsKey(key)) {
                    unsaved.put(key, table);
                }
            });
            store(unsaved, now);
            watched.values().stream().filter(table -> table.liveUnshown && !touched.containsValue(table))
                    .forEach(table -> showLive(table, now, false));
        } catch (RuntimeException e) {
            // what was decided stays due, what was not stored stays unsaved: the next tick or batch carries on
            log.warn("Storing or publishing alert changes failed ({} due), trying again: {}", due.size(), e.toString());
        } finally {
            processing.unlock();
        }
    }

    /** The consumer polled its partitions at {@code at} and found readings. */
    void lookedAt(Instant at) {
        lookedAt = at;
    }

    /**
     * A poll found nothing at {@code at}.
     *
     * @param drained whether the consumer knows it has read everything its partitions hold
     */
    void idle(Instant at, boolean drained) {
        lookedAt = at;
        caughtUp |= drained;
    }

    /**
     * Loads the stored tables of newly assigned partitions, so that one that went silent while inverted
     * (a firmware hang sends no Last Will) is judged by the clock even though no event of it will come.
     */
    void adopt(Collection<Integer> partitions) {
        processing.lock();
        try {
            // the adopted tables' newer readings may wait unread: wall-clock silence only once the consumer knows it has read them
            caughtUp = false;
            ownedPartitions.addAll(partitions);
            unloadedPartitions.addAll(partitions);
            loadUnloadedPartitionsOrLog();
        } finally {
            processing.unlock();
        }
    }

    /** A failed load never stops the clock from judging the tables already loaded: it is tried again at the next tick. */
    private void loadUnloadedPartitionsOrLog() {
        try {
            loadUnloadedPartitions();
        } catch (RuntimeException e) {
            log.warn("Loading the stored tables of partitions {} failed, the clock tries again: {}", unloadedPartitions, e.toString());
        }
    }

    private void loadUnloadedPartitions() {
        if (unloadedPartitions.isEmpty()) {
            return;
        }
        Set<Integer> partitions = Set.copyOf(unloadedPartitions);
        List<TableStateDocument> stored = mongo.find(query(where("partition").in(partitions)), TableStateDocument.class)
                .collectList().block(properties.storeTimeout());
        Map<String, SafetyProfile> profilesByKey = profiles.findAll(stored.stream().map(TableStateDocument::id).toList())
                .collectMap(SafetyProfile::id).block(properties.storeTimeout());
        for (TableStateDocument state : stored) {
            watched.computeIfAbsent(state.id(), key -> watching(state.fleetId(), state.tableId(), state.partition(),
                    profilesByKey.get(key), state));
        }
        unloadedPartitions.removeAll(partitions);
        log.info("Adopted {} stored tables of partitions {}", stored.size(), partitions);
    }

    /**
     * Forgets the tables of partitions this instance no longer owns, and what it decided for them but
     * could not deliver: their new owner loads them from storage and decides again from the records
     * whose offsets were never committed.
     */
    void release(Collection<Integer> partitions) {
        processing.lock();
        try {
            watched.values().removeIf(table -> partitions.contains(table.partition));
            due.removeIf(decision -> !watched.containsKey(Topics.tableKey(decision.signal.fleetId(), decision.signal.tableId())));
            partitionTime.keySet().removeAll(partitions);
            ownedPartitions.removeAll(partitions);
            unloadedPartitions.removeAll(partitions);
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
            Watched table = watched.get(Topics.tableKey(profile.fleetId(), profile.tableId()));
            if (table != null) {
                decide(table, table.monitor.apply(limits.limitsFor(profile.fleetId(), profile), clock.instant()), null);
            }
        }
    }

    private void decide(Watched table, List<AlertSignal> signals, Headers cause) {
        signals.forEach(signal -> due.add(new Decision(signal, cause)));
        table.alertsUnsaved |= !signals.isEmpty();
    }

    /**
     * Stores, then publishes, every due decision in order; each step done is remembered, so a retry
     * neither stores nor publishes anything twice. Throws at the first step that fails or times out.
     */
    private void deliverDue() {
        while (!due.isEmpty()) {
            Decision decision = due.get(0);
            AlertSignal signal = decision.signal;
            if (decision.storing == null || decision.storing.isCompletedExceptionally()) {
                decision.storing = alerts.apply(signal).map(Optional::of).defaultIfEmpty(Optional.empty()).toFuture();
            }
            Optional<Alert> stored = awaitWrite(decision.storing);
            if (stored.isPresent()) {
                if (decision.publishing == null || decision.publishing.isCompletedExceptionally()) {
                    decision.publishing = events.publish(stored.get(), signal.change().name(),
                            signal.reading() == null ? null : signal.reading().ts(), decision.cause).toFuture();
                }
                awaitWrite(decision.publishing);
            }
            due.remove(0);
        }
    }

    private <T> T awaitWrite(CompletableFuture<T> write) {
        try {
            return write.get(properties.storeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException failed) {
            throw new IllegalStateException("an alert write failed: " + failed.getCause(), failed.getCause());
        } catch (TimeoutException slow) {
            throw new IllegalStateException("an alert write took longer than " + properties.storeTimeout() + "; waiting for it again", slow);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while an alert was written", interrupted);
        }
    }

    private void settle(List<AlertSignal> signals, Map<String, Watched> touched) {
        deliverDue();
        Instant now = clock.instant();
        Map<String, Watched> toStore = new LinkedHashMap<>(touched);
        watched.forEach((key, table) -> {
            if (table.alertsUnsaved) {
                toStore.putIfAbsent(key, table);
            }
        });
        store(toStore, now);
        touched.values().forEach(table -> showLive(table, now, !signals.isEmpty()));
    }

    /**
     * Stores, in one bulk write, the memory of every table whose alerts changed, and of the others at
     * most once per checkpoint interval: open conditions are never lost, while counters such as the
     * time above the limit may restart from up to one interval earlier after a restart.
     */
    private void store(Map<String, Watched> touched, Instant now) {
        ReactiveBulkOperations bulk = mongo.bulkOps(BulkOperations.BulkMode.UNORDERED, TableStateDocument.class);
        List<Watched> written = new ArrayList<>();
        for (Map.Entry<String, Watched> entry : touched.entrySet()) {
            Watched table = entry.getValue();
            if (table.alertsUnsaved || Duration.between(table.storedAt, now).compareTo(properties.memoryCheckpoint()) >= 0) {
                bulk.replaceOne(query(where("_id").is(entry.getKey())), document(table), FindAndReplaceOptions.options().upsert());
                written.add(table);
            } else {
                table.unsaved = true;
            }
        }
        if (written.isEmpty()) {
            return;
        }
        bulk.execute().block(properties.storeTimeout());
        for (Watched table : written) {
            table.storedAt = now;
            table.unsaved = false;
            table.alertsUnsaved = false;
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
        String key = Topics.tableKey(fleetId, tableId);
        SafetyProfile profile = profiles.find(fleetId, tableId).block(properties.storeTimeout());
        TableStateDocument stored = mongo.findById(key, TableStateDocument.class).block(properties.storeTimeout());
        return watching(fleetId, tableId, partition, profile, stored);
    }

    private Watched watching(String fleetId, String tableId, int partition, SafetyProfile profile, TableStateDocument stored) {
        SafetyLimits tableLimits = limits.limitsFor(fleetId, profile);
        TableMonitor monitor = stored == null ? new TableMonitor(fleetId, tableId, tableLimits)
                : TableMonitor.remembering(fleetId, tableId, tableLimits, stored.memory());
        return new Watched(fleetId, tableId, monitor, partition, stored == null || stored.online());
    }

    private static TableStateDocument document(Watched table) {
        return TableStateDocument.of(table.fleetId, table.tableId, table.online, table.monitor.memory(), table.partition);
    }

    static TableLiveState liveState(TableStateDocument state) {
        TelemetryReading last = state.last();
        boolean inSession = last != null && last.sessionId() != null && last.angleDeg() > 0;
        return new TableLiveState(state.fleetId(), state.tableId(), state.online(), last == null ? null : last.angleDeg(), inSession,
                inSession ? last.elapsedS() : null, state.lastObservedAt(),
                state.active() == null ? List.of() : state.active().keySet().stream().map(Enum::name).sorted().toList());
    }

    /** The fleet views read the table states of one fleet; a new owner of a partition, that partition's. */
    public Mono<Void> createIndexes() {
        return Flux.concat(mongo.indexOps(TableStateDocument.class).createIndex(new Index().on("fleetId", Sort.Direction.ASC)),
                mongo.indexOps(TableStateDocument.class).createIndex(new Index().on("partition", Sort.Direction.ASC))).then();
    }

    /** The live state of a fleet's tables, from storage: complete whichever instance owns which table. */
    public Flux<TableLiveState> fleet(String fleetId) {
        return mongo.find(query(where("fleetId").is(fleetId)), TableStateDocument.class).map(Monitors::liveState);
    }
}
