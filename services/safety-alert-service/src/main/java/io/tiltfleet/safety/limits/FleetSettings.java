package io.tiltfleet.safety.limits;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.tiltfleet.safety.rules.SafetyLimits;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import java.time.Duration;
import java.time.ZoneId;

/**
 * A fleet's own limits and time zone, changed by its operators while the platform runs; whatever is left
 * out (null) keeps the default of every new fleet ({@code tiltfleet.safety.defaults}).
 *
 * @param maxAngleDeg        the fleet's angle limit: a table's profile may set its own
 * @param maxSession         the longest inverted session before an alert
 * @param steepAngleDeg      above this angle, time counts as steep
 * @param maxSteepTime       the longest time above {@code steepAngleDeg} in one session
 * @param headDownAngleDeg   above this angle the user counts as inverted: the threshold of the lock, silence and contraindication rules
 * @param silenceTimeout     no reading for this long while inverted is an alert
 * @param rapidReturnDegPerS coming back up faster than this is an alert
 * @param timeZone           the fleet's IANA time zone (e.g. Europe/Berlin), for its local days
 */
public record FleetSettings(@DecimalMin("10") @DecimalMax("90") Double maxAngleDeg, Duration maxSession,
                            @DecimalMin("10") @DecimalMax("90") Double steepAngleDeg, Duration maxSteepTime,
                            @DecimalMin("1") @DecimalMax("45") Double headDownAngleDeg, Duration silenceTimeout,
                            @DecimalMin(value = "0", inclusive = false) @DecimalMax("180") Double rapidReturnDegPerS, String timeZone) {

    public static final FleetSettings NONE = new FleetSettings(null, null, null, null, null, null, null, null);
    private static final Duration LONGEST_SESSION = Duration.ofHours(2);
    private static final Duration LONGEST_SILENCE = Duration.ofMinutes(10);

    /** The limits with this fleet's settings in place of the defaults'. */
    public SafetyLimits applyTo(SafetyLimits d) {
        return new SafetyLimits(or(maxAngleDeg, d.maxAngleDeg()), d.overAngleDebounce(), d.hysteresisDeg(), d.criticalExcessDeg(),
                d.criticalAfter(), or(maxSession, d.maxSession()), or(steepAngleDeg, d.steepAngleDeg()), or(maxSteepTime, d.maxSteepTime()),
                or(headDownAngleDeg, d.headDownAngleDeg()), or(silenceTimeout, d.silenceTimeout()),
                or(rapidReturnDegPerS, d.rapidReturnDegPerS()), d.contraindications(), d.maintenanceUntil(), null, or(maxAngleDeg, d.maxAngleDeg()),
                d.checkIn());
    }

    /** Every setting filled in, from these defaults (and UTC) where left out: what the fleet's tables are held to. */
    public FleetSettings effective(SafetyLimits defaults) {
        SafetyLimits limits = applyTo(defaults);
        return new FleetSettings(limits.maxAngleDeg(), limits.maxSession(), limits.steepAngleDeg(), limits.maxSteepTime(),
                limits.headDownAngleDeg(), limits.silenceTimeout(), limits.rapidReturnDegPerS(), or(timeZone, "UTC"));
    }

    /** A setting misspelt must not be taken for the default silently: the operator would believe it set. */
    @JsonAnySetter
    void refuseUnknown(String name, Object value) {
        throw new IllegalArgumentException("'" + name + "' is no fleet setting: they are maxAngleDeg, maxSession, steepAngleDeg, maxSteepTime, "
                + "headDownAngleDeg, silenceTimeout, rapidReturnDegPerS and timeZone");
    }

    @AssertTrue(message = "maxSession must be from 1 minute to 2 hours")
    boolean isMaxSession() {
        return within(maxSession, Duration.ofMinutes(1), LONGEST_SESSION);
    }

    @AssertTrue(message = "maxSteepTime must be from 10 seconds to 2 hours")
    boolean isMaxSteepTime() {
        return within(maxSteepTime, Duration.ofSeconds(10), LONGEST_SESSION);
    }

    @AssertTrue(message = "silenceTimeout must be from 2 seconds to 10 minutes: a table silent while someone is inverted is an emergency")
    boolean isSilenceTimeout() {
        return within(silenceTimeout, Duration.ofSeconds(2), LONGEST_SILENCE);
    }

    @AssertTrue(message = "timeZone must be an IANA time zone id such as Europe/Berlin or Asia/Kolkata")
    boolean isTimeZone() {
        return timeZone == null || ZoneId.getAvailableZoneIds().contains(timeZone);
    }

    private static boolean within(Duration value, Duration least, Duration most) {
        return value == null || value.compareTo(least) >= 0 && value.compareTo(most) <= 0;
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
