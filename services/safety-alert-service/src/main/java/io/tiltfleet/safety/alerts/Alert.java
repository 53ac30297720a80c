package io.tiltfleet.safety.alerts;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One alert of one table and type, through its life: raised, escalated, cleared, acknowledged. A
 * condition that returns before the alert was acknowledged reopens the same alert, so a table has at
 * most one open alert per type. Escalation asks for a new acknowledgement.
 *
 * @param readings the readings that raised or escalated it, the most recent {@value #KEPT_READINGS}
 * @param location where the table stands ("Berlin-Mitte, Room 3, Bed 7"), from the registry when last changed; null if unregistered
 */
public record Alert(String id, String fleetId, String tableId, AlertType type, Severity severity, AlertState state,
                    String reason, Instant raisedAt, Instant updatedAt, Instant clearedAt,
                    String acknowledgedBy, Instant acknowledgedAt, List<TelemetryReading> readings, String location) {

    public static final int KEPT_READINGS = 10;

    public Alert {
        readings = List.copyOf(readings);
    }

    public static Alert raise(String id, AlertSignal signal) {
        return new Alert(id, signal.fleetId(), signal.tableId(), signal.type(), signal.severity(), AlertState.ACTIVE_UNACKNOWLEDGED,
                signal.reason(), signal.at(), signal.at(), null, null, null, withReading(List.of(), signal.reading()), signal.location());
    }

    /** What a new signal of the same table and type does to this open alert. */
    public Alert apply(AlertSignal signal) {
        return switch (signal.change()) {
            case RAISED -> new Alert(id, fleetId, tableId, type, severity.atLeast(signal.severity()), AlertState.ACTIVE_UNACKNOWLEDGED,
                    signal.reason(), raisedAt, signal.at(), null, null, null, withReading(readings, signal.reading()), locationOf(signal));
            case ESCALATED -> new Alert(id, fleetId, tableId, type, severity.atLeast(signal.severity()), AlertState.ACTIVE_UNACKNOWLEDGED,
                    signal.reason(), raisedAt, signal.at(), clearedAt, null, null, withReading(readings, signal.reading()), locationOf(signal));
            case CLEARED -> new Alert(id, fleetId, tableId, type, severity,
                    state == AlertState.ACTIVE_ACKNOWLEDGED ? AlertState.CLEARED_ACKNOWLEDGED : AlertState.CLEARED_UNACKNOWLEDGED,
                    reason, raisedAt, signal.at(), signal.at(), acknowledgedBy, acknowledgedAt, readings, locationOf(signal));
            case ACKNOWLEDGED -> throw new IllegalArgumentException("a person acknowledges an alert (acknowledge), never a signal");
        };
    }

    /**
     * @throws IllegalStateException when the alert is already cleared and acknowledged
     */
    public Alert acknowledge(String by, Instant at) {
        AlertState next = switch (state) {
            case ACTIVE_UNACKNOWLEDGED, ACTIVE_ACKNOWLEDGED -> AlertState.ACTIVE_ACKNOWLEDGED;
            case CLEARED_UNACKNOWLEDGED -> AlertState.CLEARED_ACKNOWLEDGED;
            case CLEARED_ACKNOWLEDGED -> throw new IllegalStateException("alert " + id + " is already cleared and acknowledged");
        };
        return new Alert(id, fleetId, tableId, type, severity, next, reason, raisedAt, at, clearedAt, by, at, readings, location);
    }

    /** The change that brought the alert to its state, as far as the state tells: an escalation shows as a raise. */
    public AlertChange lastChange() {
        return switch (state) {
            case ACTIVE_UNACKNOWLEDGED -> AlertChange.RAISED;
            case CLEARED_UNACKNOWLEDGED -> AlertChange.CLEARED;
            case ACTIVE_ACKNOWLEDGED, CLEARED_ACKNOWLEDGED -> AlertChange.ACKNOWLEDGED;
        };
    }

    /** The table's place as the registry has it now; kept as it was when the signal does not say (a table removed meanwhile). */
    private String locationOf(AlertSignal signal) {
        return signal.location() != null ? signal.location() : location;
    }

    private static List<TelemetryReading> withReading(List<TelemetryReading> kept, TelemetryReading reading) {
        if (reading == null) {
            return kept;
        }
        List<TelemetryReading> all = new ArrayList<>(kept);
        all.add(reading);
        return all.subList(Math.max(0, all.size() - KEPT_READINGS), all.size());
    }
}
