package io.tiltfleet.analytics.sessions;

import java.time.Instant;

/** Where a table stood at one moment of a session: its angle and whether its lock was engaged. */
public record TracePoint(Instant at, double angleDeg, boolean locked) {
}
