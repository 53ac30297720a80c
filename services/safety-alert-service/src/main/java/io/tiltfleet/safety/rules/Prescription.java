package io.tiltfleet.safety.rules;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;
import java.util.Locale;

/**
 * What a clinician prescribed for one session: an angle band and a length, e.g. 20-40 degrees for 3 minutes.
 *
 * @param minAngleDeg the band's lower end
 * @param maxAngleDeg the band's upper end: held above it, the session is outside its prescription
 * @param minutes     the session's prescribed length: past it, the session is outside its prescription
 */
public record Prescription(@NotNull(message = "minAngleDeg is required: the band's lower end")
                           @DecimalMin("0") @DecimalMax("90") Double minAngleDeg,
                           @NotNull(message = "maxAngleDeg is required: the band's upper end")
                           @DecimalMin("0") @DecimalMax("90") Double maxAngleDeg,
                           @NotNull(message = "minutes is required: the session's prescribed length")
                           @DecimalMin(value = "0.5", message = "minutes must be from 0.5 to 60")
                           @DecimalMax(value = "60", message = "minutes must be from 0.5 to 60") Double minutes) {

    @AssertTrue(message = "minAngleDeg must not be above maxAngleDeg")
    boolean isBand() {
        return minAngleDeg == null || maxAngleDeg == null || minAngleDeg <= maxAngleDeg;
    }

    /** "20-40 degrees for 3 min", as alerts say it. */
    public String label() {
        return String.format(Locale.ROOT, "%.0f-%.0f degrees for %s min", minAngleDeg, maxAngleDeg,
                minutes == Math.rint(minutes) ? String.valueOf(minutes.longValue()) : String.valueOf(minutes));
    }
}
