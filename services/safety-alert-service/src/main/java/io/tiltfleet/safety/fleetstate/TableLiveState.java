package io.tiltfleet.safety.fleetstate;

import java.time.Instant;
import java.util.List;

/** What a fleet operator sees of one table right now. */
public record TableLiveState(String fleetId, String tableId, boolean online, Double angleDeg, boolean inSession,
                             Double sessionElapsedS, Instant lastSeen, List<String> activeAlerts) {
}
