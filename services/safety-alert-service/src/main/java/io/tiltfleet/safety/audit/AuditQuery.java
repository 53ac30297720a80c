package io.tiltfleet.safety.audit;

import java.time.Instant;

/** A filter on one fleet's audit trail; null fields do not filter, {@code to} is exclusive. */
record AuditQuery(String fleetId, String what, String tableId, String by, Instant from, Instant to) {
}
