package io.tiltfleet.contract;

import java.time.Instant;

/**
 * One change of one safety alert, as published to {@link Topics#SAFETY_ALERTS}. Consumers keep the
 * latest per {@code alertId}; {@code updatedAt} orders the changes of one alert.
 *
 * @param type       OVER_ANGLE, OVER_DURATION, SILENT_WHILE_INVERTED, LOCK_OPEN_WHILE_INVERTED, RAPID_RETURN, CONTRAINDICATED_USE,
 *                   OUTSIDE_PRESCRIPTION
 * @param severity   WARNING or CRITICAL
 * @param state      ACTIVE_UNACKNOWLEDGED, ACTIVE_ACKNOWLEDGED, CLEARED_UNACKNOWLEDGED or CLEARED_ACKNOWLEDGED
 * @param readingTs  the table's timestamp of the reading that caused the change, when a reading did
 * @param location   where the table stands, from its fleet's registry ({@link TableRegistration#location()}): null if unregistered
 */
public record SafetyAlertEvent(String alertId, String fleetId, String tableId, AlertChange change, String type, String severity,
                               String state, String reason, Instant raisedAt, Instant updatedAt, String acknowledgedBy,
                               Instant readingTs, String location) {
}
