package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.fleetstate.TableStateDocument;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import io.tiltfleet.safety.limits.FleetConfigLog;
import io.tiltfleet.safety.limits.LimitsResolver;
import io.tiltfleet.safety.rules.SafetyLimits;
import io.tiltfleet.safety.rules.TableMonitor;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The tables of the readings partitions this instance owns, each with its rules loaded from its stored
 * memory: those of a newly assigned partition at once (a table silent while inverted has no next event
 * to wait for), any other the first time one of its events arrives. After a restart or a rebalance
 * nothing is forgotten and nothing raised twice. The rule engine calls it under its lock, the
 * rebalance callbacks included, so each change sees the last.
 */
@Component
class OwnedTables {

    private static final Logger log = LoggerFactory.getLogger(OwnedTables.class);

    private final Map<String, OwnedTable> tables = new ConcurrentHashMap<>();
    /**
     * The readings partitions this instance owns. A failed batch is retried with the records it held,
     * even after a rebalance moved some of their partitions away: their new owner decides for those.
     */
    private final Set<Integer> ownedPartitions = ConcurrentHashMap.newKeySet();
    /** Assigned partitions whose stored tables could not be loaded yet (MongoDB away): the clock tries again. */
    private final Set<Integer> unloadedPartitions = ConcurrentHashMap.newKeySet();
    private final TableStateStore states;
    private final FleetConfigLog config;
    private final LimitsResolver limits;
    private final Duration timeout;

    OwnedTables(TableStateStore states, FleetConfigLog config, LimitsResolver limits, SafetyProperties properties) {
        this.states = states;
        this.config = config;
        this.limits = limits;
        this.timeout = properties.storeTimeout();
    }

    /**
     * Loads the tables of a batch's events seen for the first time, with one query for them all: one
     * round trip per new table would stall the rules for seconds when a new fleet or a restart brings
     * thousands. Their limits come from the fleets' configuration, once read ({@link FleetConfigLog#awaitCaughtUp}).
     */
    void loadNew(List<TableEvent> batch) {
        Map<String, TableEvent> unknown = new LinkedHashMap<>();
        for (TableEvent event : batch) {
            String key = new TableRef(event.fleetId(), event.tableId()).key();
            if (owns(event) && !tables.containsKey(key)) {
                unknown.putIfAbsent(key, event);
            }
        }
        if (unknown.isEmpty()) {
            return;
        }
        config.awaitCaughtUp();
        Map<String, TableStateDocument> stored = states.findAll(unknown.keySet()).collectMap(TableStateDocument::id).block(timeout);
        unknown.forEach((key, event) -> tables.put(key, owning(event.fleetId(), event.tableId(), event.partition(), stored.get(key))));
    }

    /** The event's table, loaded by {@link #loadNew} before; null for a reading of a partition this instance does not own. */
    OwnedTable of(TableEvent event) {
        return owns(event) ? tables.get(new TableRef(event.fleetId(), event.tableId()).key()) : null;
    }

    /** A status is for whichever instance owns its table's readings; a reading only for the owner of its partition. */
    private boolean owns(TableEvent event) {
        return !(event instanceof TableEvent.Reading) || ownedPartitions.contains(event.partition());
    }

    OwnedTable find(String fleetId, String tableId) {
        return find(new TableRef(fleetId, tableId).key());
    }

    OwnedTable find(String tableKey) {
        return tables.get(tableKey);
    }

    Collection<OwnedTable> all() {
        return tables.values();
    }

    /** Newly assigned partitions: their stored tables are loaded now, or by {@link #loadUnloadedPartitions} later. */
    void adopt(Collection<Integer> partitions) {
        ownedPartitions.addAll(partitions);
        unloadedPartitions.addAll(partitions);
        loadUnloadedPartitionsOrLog();
    }

    /** A failed load never stops the clock from judging the tables already loaded: it is tried again at the next tick. */
    void loadUnloadedPartitionsOrLog() {
        try {
            loadUnloadedPartitions();
        } catch (RuntimeException e) {
            log.warn("Loading the stored tables of partitions {} failed, the clock tries again: {}", unloadedPartitions, e.toString());
        }
    }

    /** @return the keys of the tables forgotten: their new owner loads them from storage */
    Set<String> release(Collection<Integer> partitions) {
        Set<String> released = ConcurrentHashMap.newKeySet();
        tables.values().removeIf(table -> partitions.contains(table.partition) && released.add(table.key()));
        ownedPartitions.removeAll(partitions);
        unloadedPartitions.removeAll(partitions);
        return released;
    }

    private void loadUnloadedPartitions() {
        if (unloadedPartitions.isEmpty()) {
            return;
        }
        Set<Integer> partitions = Set.copyOf(unloadedPartitions);
        config.awaitCaughtUp();
        List<TableStateDocument> stored = states.inPartitions(partitions).collectList().block(timeout);
        for (TableStateDocument state : stored) {
            tables.computeIfAbsent(state.id(), key -> owning(state.fleetId(), state.tableId(), state.partition(), state));
        }
        unloadedPartitions.removeAll(partitions);
        log.info("Adopted {} stored tables of partitions {}", stored.size(), partitions);
    }

    private OwnedTable owning(String fleetId, String tableId, int partition, TableStateDocument stored) {
        SafetyLimits tableLimits = limits.limitsFor(fleetId, tableId);
        TableMonitor monitor = stored == null ? new TableMonitor(fleetId, tableId, tableLimits)
                : TableMonitor.remembering(fleetId, tableId, tableLimits, stored.memory());
        return stored == null ? new OwnedTable(fleetId, tableId, monitor, partition, true, null, null)
                : new OwnedTable(fleetId, tableId, monitor, partition, stored.online(), stored.firmware(), stored.model());
    }
}
