package io.tiltfleet.safety;

import io.tiltfleet.safety.rules.SafetyLimits;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the safety-alert service; defaults in safety-alert-service.yml.
 *
 * @param defaults         the limits every table is held to unless its fleet or its profile says otherwise
 * @param fleets           per-fleet changes to the defaults, by fleet id
 * @param clockTick        how often silent tables are checked
 * @param heartbeat        how often the event stream sends a heartbeat comment
 * @param streamAlertBuffer alert changes held for one stream's client; a client that falls further behind is told so and
 *                         disconnected, to resume with Last-Event-ID (table states are never held: only each table's latest waits)
 * @param streamReplayWindow how far back a stream resumed with Last-Event-ID replays alert changes
 * @param liveStateEvery   at most one live-state event per table this often
 * @param memoryCheckpoint a table's rule memory is stored at least this often while it reports, and at once when its alerts change
 * @param storeTimeout     the longest wait for one MongoDB or Kafka write of the rules; past it the batch fails and is
 *                         retried, and the write, which may still land, is waited for again rather than repeated
 * @param allowCallsWithoutCaller whether {@code /api} calls without the gateway's caller headers are served (as seeing every
 *                         fleet): only for the local run, where the services are called directly on loopback
 */
@Validated
@ConfigurationProperties("tiltfleet.safety")
public record SafetyProperties(@NotNull SafetyLimits defaults, Map<String, FleetLimits> fleets, @NotNull Duration clockTick,
                               @NotNull Duration heartbeat, @Min(16) int streamAlertBuffer, @NotNull Duration streamReplayWindow, @NotNull Duration liveStateEvery,
                               @NotNull Duration memoryCheckpoint, @NotNull Duration storeTimeout, boolean allowCallsWithoutCaller) {

    public SafetyProperties {
        fleets = fleets == null ? Map.of() : Map.copyOf(fleets);
    }

    /** A fleet's own limits; what is left out keeps the default. */
    public record FleetLimits(Double maxAngleDeg, Duration maxSession, Duration maxSteepTime, Duration silenceTimeout) {
    }
}
