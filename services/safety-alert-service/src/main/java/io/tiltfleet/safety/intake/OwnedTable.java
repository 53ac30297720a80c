package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.fleetstate.StaggeredPeriods;
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
    /** What the table last reported of itself in its status, null until it said. */
    String firmware;
    String model;
    /** The checkpoint period ({@link StaggeredPeriods}) it was last stored in; none yet. */
    private long storedInPeriod = Long.MIN_VALUE;
    /** Whether the memory changed since it was last stored: the clock stores it once the checkpoint interval has passed. */
    private boolean unsaved;
    /** Whether its alerts changed since the memory was last stored: it is stored with the next write, whatever the interval. */
    private boolean alertsUnsaved;
    /** Whether an event of it was run since the clock's last tick. */
    private boolean heardSinceTick;

    OwnedTable(String fleetId, String tableId, TableMonitor monitor, int partition, boolean online, String firmware, String model) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.monitor = monitor;
        this.key = new TableRef(fleetId, tableId).key();
        this.partition = partition;
        this.online = online;
        this.firmware = firmware;
        this.model = model;
    }

    /** A status that says nothing of the firmware or model (a Last Will) keeps what the table said before. */
    void reported(String newFirmware, String newModel) {
        firmware = newFirmware != null ? newFirmware : firmware;
        model = newModel != null ? newModel : model;
    }

    String key() {
        return key;
    }

    TableStateDocument state() {
        return TableStateDocument.of(fleetId, tableId, online, monitor.memory(), partition, firmware, model);
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

    void heard() {
        heardSinceTick = true;
    }

    /**
     * Whether no event of it was run since the clock's previous tick, and from now on whether none is
     * run until the next: the clock stores the memory of tables gone quiet, while those still reporting
     * are stored with their next event. Stored by the clock between two readings, about half of the
     * tables due each second were written in one bulk write under the rules' lock.
     */
    boolean quietSinceLastTick() {
        boolean quiet = !heardSinceTick;
        heardSinceTick = false;
        return quiet;
    }

    /**
     * Whether its memory is to be written now: at once when its alerts changed, otherwise once a new
     * checkpoint period of its own ({@link StaggeredPeriods}) has begun. Open conditions are never lost,
     * while counters such as the time above the limit may restart from up to one interval earlier after
     * a restart. A table not written now is remembered as unsaved, for the clock.
     */
    boolean dueForStoring(Instant now, Duration checkpoint) {
        boolean due = alertsUnsaved || StaggeredPeriods.number(key, now, checkpoint) != storedInPeriod;
        unsaved |= !due;
        return due;
    }

    void stored(Instant at, Duration checkpoint) {
        storedInPeriod = StaggeredPeriods.number(key, at, checkpoint);
        unsaved = false;
        alertsUnsaved = false;
    }
}
