package io.tiltfleet.safety.rules;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Instant;

/**
 * A change the rules decided for one table and alert type.
 *
 * @param change  RAISED, ESCALATED or CLEARED; never ACKNOWLEDGED, which a person does ({@code Alert.acknowledge})
 * @param reading the reading that caused it; null when time alone did (silence) or a status did
 * @param location where the table stands, from its fleet's registry; null if unregistered (the rules leave it to their caller)
 */
public record AlertSignal(String fleetId, String tableId, AlertType type, AlertChange change, Severity severity, String reason,
                          TelemetryReading reading, Instant at, String location) {

    public AlertSignal(String fleetId, String tableId, AlertType type, AlertChange change, Severity severity, String reason,
                       TelemetryReading reading, Instant at) {
        this(fleetId, tableId, type, change, severity, reason, reading, at, null);
    }

    public AlertSignal locatedAt(String where) {
        return new AlertSignal(fleetId, tableId, type, change, severity, reason, reading, at, where);
    }
}
