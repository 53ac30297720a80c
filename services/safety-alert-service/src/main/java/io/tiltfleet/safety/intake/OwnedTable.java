package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.fleetstate.TableStateDocument;
import io.tiltfleet.safety.rules.TableMonitor;
import java.time.Duration;
import java.time.Instant;

/** A table whose partition this instance owns: its rules, where its readings come from, and what of it is stored. */
final class OwnedTable {

    final String fleetId;
    final String tableId;
    final TableMonitor monitor;
    /** Asked several times per event: built once. */
    private final String key;
    /** Its readings' partition; a table first seen through its status is moved there by its first reading. */
    int partition;
    boolean online;
    private Instant storedAt = Instant.EPOCH;
    /** Whether the memory changed since it was last stored: the clock stores it once the checkpoint interval has passed. */
    private boolean unsaved;
    /** Whether its alerts changed since the memory was last stored: it is stored with the next write, whatever the interval. */
    private boolean alertsUnsaved;

    OwnedTable(String fleetId, String tableId, TableMonitor monitor, int partition, boolean online) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.monitor = monitor;
        this.key = new TableRef(fleetId, tableId).key();
        this.partition = partition;
        this.online = online;
    }

    String key() {
        return key;
    }

    TableStateDocument state() {
        return TableStateDocument.of(fleetId, tableId, online, monitor.memory(), partition);
    }

    void alertsChanged() {
        alertsUnsaved = true;
    }

    boolean alertsUnsaved() {
        return alertsUnsaved;
    }

    boolean unsaved() {
        return unsaved;
    }

    /**
     * Whether its memory is to be written now: at once when its alerts changed, otherwise once the
     * checkpoint interval has passed. Open conditions are never lost, while counters such as the time
     * above the limit may restart from up to one interval earlier after a restart. A table not written
     * now is remembered as unsaved, for the clock.
     */
    boolean dueForStoring(Instant now, Duration checkpoint) {
        boolean due = alertsUnsaved || Duration.between(storedAt, now).compareTo(checkpoint) >= 0;
        unsaved |= !due;
        return due;
    }

    void stored(Instant at) {
        storedAt = at;
        unsaved = false;
        alertsUnsaved = false;
    }
}
