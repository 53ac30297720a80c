package io.tiltfleet.safety.alerts;

import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Instant;

/** A filter on alerts; null fields do not filter. {@code to} is exclusive. */
public record AlertQuery(String fleetId, String tableId, AlertState state, AlertType type, Severity severity,
                         Instant from, Instant to, int page, int size) {
}
