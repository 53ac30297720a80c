package io.tiltfleet.safety.rules;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

/**
 * The limits one table is held to: fleet defaults with the table's own settings applied. A table
 * with any contraindication is not to be inverted at all, whatever its angle limit says; a patient
 * checked in brings their own for their session.
 *
 * @param maxAngleDeg          the table's angle limit: 60 by default, up to 90 when cleared for full inversion
 * @param overAngleDebounce    how long the angle must stay above the limit before an alert
 * @param hysteresisDeg        an over-angle alert clears only below {@code maxAngleDeg - hysteresisDeg}
 * @param criticalExcessDeg    this far above the limit, an over-angle alert is critical at once
 * @param criticalAfter        this long above the limit, an over-angle alert becomes critical
 * @param maxSession           the longest inverted session before an alert
 * @param steepAngleDeg        above this angle, time counts as steep
 * @param maxSteepTime         the longest time above {@code steepAngleDeg} in one session
 * @param headDownAngleDeg     above this angle the user counts as inverted (head-down) for silence, lock and contraindication rules
 * @param silenceTimeout       no reading for this long while inverted is an alert
 * @param rapidReturnDegPerS   coming back up faster than this is an alert
 * @param maintenanceUntil     until when the table is under maintenance (null: it is not): its warnings wait, its criticals say so
 * @param maxAngleUntil        until when {@code maxAngleDeg} holds (null: for good); a limit raised above 60 degrees always ends
 * @param maxAngleAfterDeg     the limit once {@code maxAngleUntil} has passed
 * @param checkIn              the table's latest check-in (null: none): its patient's terms hold for the session it is for
 */
public record SafetyLimits(double maxAngleDeg, Duration overAngleDebounce, double hysteresisDeg, double criticalExcessDeg,
                           Duration criticalAfter, Duration maxSession, double steepAngleDeg, Duration maxSteepTime,
                           double headDownAngleDeg, Duration silenceTimeout, double rapidReturnDegPerS,
                           Set<Contraindication> contraindications, Instant maintenanceUntil, Instant maxAngleUntil,
                           double maxAngleAfterDeg, CheckIn checkIn) {

    public static final SafetyLimits DEFAULTS = new SafetyLimits(60, Duration.ofSeconds(2), 5, 15, Duration.ofSeconds(60),
            Duration.ofMinutes(10), 60, Duration.ofMinutes(3), 10, Duration.ofSeconds(10), 15, Set.of(), null, null, 60, null);

    public SafetyLimits {
        if (maxAngleDeg < 0 || maxAngleDeg > 90) {
            throw new IllegalArgumentException("maxAngleDeg must be within 0-90, was " + maxAngleDeg);
        }
        contraindications = contraindications == null || contraindications.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(contraindications));
    }

    public SafetyLimits withMaxAngle(double degrees) {
        return new SafetyLimits(degrees, overAngleDebounce, hysteresisDeg, criticalExcessDeg, criticalAfter, maxSession,
                steepAngleDeg, maxSteepTime, headDownAngleDeg, silenceTimeout, rapidReturnDegPerS, contraindications, maintenanceUntil, null, degrees, checkIn);
    }

    /** This limit until then, the present one after. */
    public SafetyLimits withMaxAngleUntil(double degrees, Instant until) {
        return new SafetyLimits(degrees, overAngleDebounce, hysteresisDeg, criticalExcessDeg, criticalAfter, maxSession,
                steepAngleDeg, maxSteepTime, headDownAngleDeg, silenceTimeout, rapidReturnDegPerS, contraindications, maintenanceUntil, until,
                maxAngleAt(until), checkIn);
    }

    /** The angle limit at this time. */
    public double maxAngleAt(Instant at) {
        return maxAngleUntil == null || at.isBefore(maxAngleUntil) ? maxAngleDeg : maxAngleAfterDeg;
    }

    public SafetyLimits withContraindications(Set<Contraindication> flags) {
        return new SafetyLimits(maxAngleDeg, overAngleDebounce, hysteresisDeg, criticalExcessDeg, criticalAfter, maxSession,
                steepAngleDeg, maxSteepTime, headDownAngleDeg, silenceTimeout, rapidReturnDegPerS, flags, maintenanceUntil, maxAngleUntil,
                maxAngleAfterDeg, checkIn);
    }

    public SafetyLimits withMaintenanceUntil(Instant until) {
        return new SafetyLimits(maxAngleDeg, overAngleDebounce, hysteresisDeg, criticalExcessDeg, criticalAfter, maxSession,
                steepAngleDeg, maxSteepTime, headDownAngleDeg, silenceTimeout, rapidReturnDegPerS, contraindications, until, maxAngleUntil,
                maxAngleAfterDeg, checkIn);
    }

    public SafetyLimits withCheckIn(CheckIn latest) {
        return new SafetyLimits(maxAngleDeg, overAngleDebounce, hysteresisDeg, criticalExcessDeg, criticalAfter, maxSession,
                steepAngleDeg, maxSteepTime, headDownAngleDeg, silenceTimeout, rapidReturnDegPerS, contraindications, maintenanceUntil, maxAngleUntil,
                maxAngleAfterDeg, latest);
    }

    public boolean underMaintenance(Instant at) {
        return maintenanceUntil != null && at.isBefore(maintenanceUntil);
    }
}
