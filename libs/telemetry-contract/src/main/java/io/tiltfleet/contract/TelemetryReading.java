package io.tiltfleet.contract;

import java.time.Instant;

/**
 * One validated telemetry message of a table, as published to {@link Topics#TELEMETRY_READINGS}.
 *
 * @param sessionId null while no session is running
 * @param angleDeg  head-down angle from horizontal, in [-90, 90]; negative is head-up
 * @param elapsedS  seconds since the session began
 * @param locked    whether the ankle lock is engaged
 */
public record TelemetryReading(String fleetId, String tableId, long seq, Instant ts, String sessionId,
                               double angleDeg, double elapsedS, boolean locked) {

    public TableRef table() {
        return new TableRef(fleetId, tableId);
    }
}
