package io.tiltfleet.safety;

import io.tiltfleet.safety.rules.SafetyLimits;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the safety-alert service; defaults in safety-alert-service.yml.
 *
 * @param defaults         the limits of a new fleet's tables, until its operators change its settings or a table's profile
 *                         ({@code PUT /api/fleets/{fleetId}/settings}, {@code fleet.config.v1})
 * @param clockTick        how often silent tables are checked
 * @param heartbeat        how often the event stream sends a heartbeat comment
 * @param streamAlertBuffer alert changes held for one stream's client; a client that falls further behind is told so and
 *                         disconnected, to resume with Last-Event-ID (table states are never held: only each table's latest waits)
 * @param streamReplayWindow how far back a stream resumed with Last-Event-ID replays alert changes
 * @param liveStateEvery   at most one live-state event per table this often
 * @param memoryCheckpoint a table's rule memory is stored at least this often while it reports, and at once when its alerts change
 * @param storeTimeout     the longest wait for one MongoDB or Kafka write of the rules; past it the batch fails and is
 *                         retried, and the write, which may still land, is waited for again rather than repeated
 * @param checkInWait      how long a patient's check-in waits for the table's next session before it lapses
 * @param fleets           must be left out: the per-fleet limits of older versions, refused at start so that none is ignored unnoticed
 * @param allowCallsWithoutCaller whether {@code /api} calls without the gateway's caller headers are served (as seeing every
 *                         fleet): only for the local run, where the services are called directly on loopback
 */
@Validated
@ConfigurationProperties("tiltfleet.safety")
public record SafetyProperties(@NotNull SafetyLimits defaults, @NotNull Duration clockTick,
                               @NotNull Duration heartbeat, @Min(16) int streamAlertBuffer, @NotNull Duration streamReplayWindow, @NotNull Duration liveStateEvery,
                               @NotNull Duration memoryCheckpoint, @NotNull Duration storeTimeout, boolean allowCallsWithoutCaller,
                               @NotNull Duration checkInWait, Map<String, Object> fleets) {

    /** Per-fleet limits in YAML are gone: taken silently, they would leave a fleet on the defaults unnoticed. */
    @AssertTrue(message = "tiltfleet.safety.fleets is no longer read: set a fleet's limits while the platform runs, "
            + "PUT /api/fleets/{fleetId}/settings (see docs/safety-alert-service.md)")
    boolean isWithoutFleetLimits() {
        return fleets == null || fleets.isEmpty();
    }
}
