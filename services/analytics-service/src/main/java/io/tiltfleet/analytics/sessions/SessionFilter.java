package io.tiltfleet.analytics.sessions;

import java.time.Instant;

/**
 * Which sessions of a fleet to list or export: those that began in [from, to).
 *
 * @param tableId          one table, or null for all
 * @param minDurationS     only sessions at least this long, or null
 * @param minMaxAngleDeg   only sessions that went at least this steep, or null
 * @param endedBy          only sessions that ended this way, or null
 */
public record SessionFilter(String fleetId, String tableId, Instant from, Instant to, Double minDurationS,
                            Double minMaxAngleDeg, SessionSummary.EndReason endedBy) {
}
