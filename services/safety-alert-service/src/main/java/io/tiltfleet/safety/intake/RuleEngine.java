package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.alerts.AlertPublisher;
import io.tiltfleet.safety.fleetstate.LiveStatePublisher;
import io.tiltfleet.safety.fleetstate.TableStateDocument;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import io.tiltfleet.safety.limits.ConfigChange;
import io.tiltfleet.safety.limits.FleetConfig;
import io.tiltfleet.safety.limits.FleetConfigLog.ConfigChanged;
import io.tiltfleet.safety.limits.LimitsResolver;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.streamtime.PartitionClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the owned tables' events, the passing of time and profile changes through the rules, and sees
 * what they decide through: the alert changes delivered ({@link AlertPublisher}), then the tables'
 * memory stored, then their live states shown, before a batch returns and its offsets are committed.
 * A decision whose write fails stays due, and the next batch, redelivery or tick first finishes it: the
 * memory already counts its readings as seen, so re-running them would decide nothing again.
 */
@Component
public class RuleEngine implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(RuleEngine.class);

    /**
     * Silence is judged by each readings partition's time: its newest reading while the consumer is behind
     * on it, so that its own backlog never makes tables look silent; once caught up, the consumer's last
     * look, not now, so that a batch that took long to store (MongoDB slow) never makes the tables whose
     * next readings wait in Kafka look silent.
     */
    private final PartitionClock time = new PartitionClock();
    /** Changed settings and profiles, read from the fleets' configuration log, waiting to be applied to the owned tables. */
    private final Queue<ConfigChange> changedLimits = new ConcurrentLinkedQueue<>();
    /**
     * Applies them as soon as the rules are free, on a thread of its own: the configuration's reader must never
     * wait for the rules, which may themselves wait for it to catch up ({@link OwnedTables}).
     */
    private final ExecutorService reconfiguring = Executors.newSingleThreadExecutor(task -> new Thread(task, "rules-reconfigure"));
    /** The listener and the clock both change the tables and their alerts: one at a time keeps each table's changes in order. */
    private final ReentrantLock processing = new ReentrantLock();
    /**
     * The tables whose alerts changed since their memory was last stored, stored with the next write
     * whichever batch or tick it is: found among all tables for every batch, they cost 9% of the
     * service's processor at 5,000 readings/s (flight recording).
     */
    private final Map<String, OwnedTable> alertsUnsaved = new LinkedHashMap<>();
    private final OwnedTables tables;
    private final AlertPublisher alerts;
    private final TableStateStore states;
    private final LiveStatePublisher live;
    private final LimitsResolver limits;
    /** Where each table stands: its alerts say so. */
    private final FleetConfig registry;
    private final SafetyProperties properties;
    private final Clock clock;

    RuleEngine(OwnedTables tables, AlertPublisher alerts, TableStateStore states, LiveStatePublisher live, LimitsResolver limits,
               FleetConfig registry, SafetyProperties properties, Clock clock) {
        this.tables = tables;
        this.alerts = alerts;
        this.states = states;
        this.live = live;
        this.limits = limits;
        this.registry = registry;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * Runs one batch through the rules; returns once alerts and memories are stored.
     *
     * @param lookedAt when the broker was last asked how far behind the consumer is ({@link BrokerLook})
     * @param lag      per readings partition, the records still to read after this batch then; empty when not asked this time
     */
    void process(List<TableEvent> batch, Instant lookedAt, Map<Integer, OptionalLong> lag) {
        processing.lock();
        try {
            alerts.deliverDue();
            applyChangedLimits();
            tables.loadNew(batch);
            Map<String, OwnedTable> touched = new LinkedHashMap<>();
            Set<String> alerted = new HashSet<>();
            for (TableEvent event : batch) {
                OwnedTable table = tables.of(event);
                if (table == null) {
                    continue;
                }
                table.heard();
                List<AlertSignal> caused = List.of();
                if (event instanceof TableEvent.Reading reading) {
                    table.partition = reading.partition();
                    time.read(event.partition(), reading.observedAt());
                    table.online = true;
                    caused = table.monitor.onReading(reading.reading(), reading.observedAt());
                    storeCheckInMoves(table);
                } else if (event instanceof TableEvent.Status status) {
                    table.online = status.status().state() == TableStatus.State.ONLINE;
                    table.reported(status.status().firmware(), status.status().model());
                    caused = table.monitor.onStatus(status.status(), status.observedAt());
                }
                if (decided(table, caused, event)) {
                    alerted.add(table.key());
                }
                touched.put(table.key(), table);
            }
            // only now that the batch's readings are in their tables may the clock call their partitions caught up
            time.looked(lookedAt, lag);
            settle(touched, alerted);
        } finally {
            processing.unlock();
        }
    }

    /**
     * Lets time pass for every owned table: silence is noticed without any new event, and the last
     * state of a table that has gone quiet (no event since the previous tick) is stored and shown even
     * though no event follows it. While this
     * instance is behind on its partitions, a partition's time is the newest event read from it, so
     * that its own backlog never makes tables look silent.
     */
    void tick() {
        processing.lock();
        try {
            tables.loadUnloadedPartitionsOrLog();
            alerts.deliverDue();
            applyChangedLimits();
            Instant now = clock.instant();
            Map<String, OwnedTable> touched = new LinkedHashMap<>();
            for (OwnedTable table : tables.all()) {
                // empty for a table adopted with its partition while nothing was read from it: its readings may wait in the backlog
                Optional<Instant> partitionNow = time.now(table.partition, now);
                if (partitionNow.isPresent() && decided(table, table.monitor.onClock(partitionNow.get()), null)) {
                    touched.put(table.key(), table);
                }
            }
            settle(touched, touched.keySet());
            List<OwnedTable> quietUnsaved = new ArrayList<>();
            for (OwnedTable table : tables.all()) {
                if (table.quietSinceLastTick() && table.unsaved() && !touched.containsKey(table.key())) {
                    quietUnsaved.add(table);
                }
            }
            store(quietUnsaved, now);
            live.flush(now, touched.keySet(), key -> tables.find(key).state());
        } catch (RuntimeException e) {
            // what was decided stays due, what was not stored stays unsaved: the next tick or batch carries on
            log.warn("Storing or publishing alert changes failed ({} due), trying again: {}", alerts.due(), e.toString());
        } finally {
            processing.unlock();
        }
    }

    /**
     * The consumer looked at its partitions at {@code at} and found nothing.
     *
     * @param lag per readings partition, the records still to read then; empty when the broker was not asked this time
     */
    void looked(Instant at, Map<Integer, OptionalLong> lag) {
        processing.lock();
        try {
            time.looked(at, lag);
        } finally {
            processing.unlock();
        }
    }

    /** Newly assigned readings partitions: their stored tables are judged by the clock from now on. */
    void adopt(Collection<Integer> partitions) {
        processing.lock();
        try {
            // the adopted tables' newer readings may wait unread: wall-clock silence only once the consumer knows it has read them
            time.forget(partitions);
            tables.adopt(partitions);
        } finally {
            processing.unlock();
        }
    }

    /**
     * Forgets the tables of partitions this instance no longer owns, and what it decided for them but
     * could not deliver: their new owner loads them from storage and decides again from the records
     * whose offsets were never committed.
     */
    void release(Collection<Integer> partitions) {
        processing.lock();
        try {
            handOver(partitions);
            forget(partitions);
        } finally {
            processing.unlock();
        }
    }

    /**
     * Partitions lost without a hand-over (this instance was taken for dead): another owner may already
     * have stored newer memories of their tables, so nothing of them is stored from here.
     */
    void lose(Collection<Integer> partitions) {
        processing.lock();
        try {
            forget(partitions);
        } finally {
            processing.unlock();
        }
    }

    private void forget(Collection<Integer> partitions) {
        Set<String> released = tables.release(partitions);
        alertsUnsaved.keySet().removeAll(released);
        alerts.forget(released);
        live.forget(released);
        time.forget(partitions);
    }

    /**
     * Stores the memory of the released tables that changed since their last checkpoint: the offsets of
     * their readings are committed, so their new owner would otherwise go on from up to a checkpoint
     * interval earlier and miss what those readings began (an over-angle excursion). Not the memory of a
     * table whose decisions are still due: it counts alerts never stored, and the new owner decides again.
     */
    private void handOver(Collection<Integer> partitions) {
        List<TableStateDocument> changed = tables.all().stream()
                .filter(table -> partitions.contains(table.partition) && (table.unsaved() || table.alertsUnsaved()) && !alerts.owes(table.key()))
                .map(OwnedTable::state).toList();
        try {
            states.saveAll(changed).block(properties.storeTimeout());
        } catch (RuntimeException e) {
            log.warn("Storing the memory of {} tables handed over failed; their new owner goes on from their last checkpoint: {}",
                    changed.size(), e.toString());
        }
    }

    /**
     * Settings or profiles changed, whichever instance took the change: the owned tables they concern use
     * their new limits from now on, and an alert of a rule that no longer applies is cleared at once.
     */
    @EventListener
    void onConfigChanged(ConfigChanged changed) {
        changedLimits.addAll(changed.changes());
        reconfiguring.execute(this::reconfigure);
    }

    private void reconfigure() {
        processing.lock();
        try {
            Set<String> alerted = applyChangedLimits();
            Map<String, OwnedTable> touched = new LinkedHashMap<>();
            alerted.forEach(key -> touched.put(key, tables.find(key)));
            settle(touched, alerted);
        } catch (RuntimeException e) {
            log.warn("Storing or publishing the alert changes of new limits failed ({} due), trying again: {}", alerts.due(), e.toString());
        } finally {
            processing.unlock();
        }
    }

    /** @return the keys of the tables whose alerts the new limits changed */
    private Set<String> applyChangedLimits() {
        Set<String> alerted = new HashSet<>();
        Instant now = clock.instant();
        for (ConfigChange change = changedLimits.poll(); change != null; change = changedLimits.poll()) {
            for (OwnedTable table : concerned(change)) {
                if (decided(table, table.monitor.apply(limits.limitsFor(table.fleetId, table.tableId), now), null)) {
                    alerted.add(table.key());
                }
                storeCheckInMoves(table);
            }
        }
        return alerted;
    }

    private Collection<OwnedTable> concerned(ConfigChange change) {
        if (change.kind() == ConfigChange.Kind.REGISTRY || change.kind() == ConfigChange.Kind.CREDENTIALS) {
            return List.of();   // where a table stands, or its broker account, changes no limit
        }
        if (change.kind() == ConfigChange.Kind.SETTINGS) {
            return tables.all().stream().filter(table -> table.fleetId.equals(change.fleetId())).toList();
        }
        OwnedTable table = tables.find(change.fleetId(), change.tableId());
        return table == null ? List.of() : List.of(table);
    }

    @Override
    public void destroy() {
        reconfiguring.shutdownNow();
    }

    /**
     * A check-in taken up by a session or ended is stored with the next write, as changed alerts are: a new owner
     * going on from an older memory would give it to a second session.
     */
    private void storeCheckInMoves(OwnedTable table) {
        if (table.monitor.checkInMoved()) {
            table.alertsChanged();
            alertsUnsaved.put(table.key(), table);
        }
    }

    /** @return whether the rules changed any of the table's alerts */
    private boolean decided(OwnedTable table, List<AlertSignal> signals, TableEvent cause) {
        if (signals.isEmpty()) {
            return false;
        }
        String location = registry.locationOf(table.fleetId, table.tableId);
        alerts.decided(location == null ? signals : signals.stream().map(signal -> signal.locatedAt(location)).toList(),
                cause == null ? null : cause.origin());
        table.alertsChanged();
        alertsUnsaved.put(table.key(), table);
        return true;
    }

    /**
     * Delivers what is due, then stores the memories (those with changed alerts whether touched or not),
     * then shows the tables: at once those whose alerts changed, the others no more often than the live interval.
     */
    private void settle(Map<String, OwnedTable> touched, Set<String> alerted) {
        alerts.deliverDue();
        Instant now = clock.instant();
        Map<String, OwnedTable> toStore = new LinkedHashMap<>(touched);
        alertsUnsaved.forEach(toStore::putIfAbsent);
        store(toStore.values(), now);
        touched.values().forEach(table -> live.offer(table.state(), now, alerted.contains(table.key())));
    }

    private void store(Collection<OwnedTable> candidates, Instant now) {
        Duration checkpoint = properties.memoryCheckpoint();
        List<OwnedTable> written = candidates.stream().filter(table -> table.dueForStoring(now, checkpoint)).toList();
        List<TableStateDocument> documents = new ArrayList<>(written.size());
        written.forEach(table -> documents.add(table.state()));
        states.saveAll(documents).block(properties.storeTimeout());
        written.forEach(table -> {
            table.stored(now, checkpoint);
            alertsUnsaved.remove(table.key());
        });
    }
}
