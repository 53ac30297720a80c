package io.tiltfleet.safety.rules;

import io.tiltfleet.contract.Ids;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

/**
 * A patient checked in to a table for its next session only: the patient's contraindications take the place of
 * the table's standing ones for that session, and its prescription is watched, until the session ends. A
 * session counts as the next one when it began after the check-in and before {@code startBy}; with
 * {@code includeRunningSession} (the patient already lies on the table), the session running when the check-in
 * reaches the table's rules counts too. A session that began before the check-in is otherwise another patient's:
 * a front desk checks the next patient in while the last is still inverted.
 *
 * @param id                unique per check-in: the rules remember which one a session took up
 * @param patientRef        a pseudonymous reference to the patient, never a name: it is shown in alerts
 * @param contraindications the patient's, {@code []} for none
 * @param prescription      null when none was given
 * @param at                when the patient was checked in, by the platform's clock
 * @param startBy           unused until then, the check-in lapses
 * @param cancelledAt       when it was withdrawn, null while it stands
 * @param includeRunningSession whether a session already running counts (the patient lies on the table already)
 */
public record CheckIn(@NotNull String id, @NotNull String fleetId, @NotNull String tableId,
                      @NotNull @Pattern(regexp = Ids.PATTERN, message = "patientRef must be 1-64 characters of A-Z, a-z, 0-9, _ and -")
                      String patientRef, @NotNull Set<Contraindication> contraindications, @Valid Prescription prescription,
                      @NotNull Instant at, @NotNull Instant startBy, Instant cancelledAt, boolean includeRunningSession) {

    /** A session's start is worked out from its elapsed time and the time its reading arrived: this close is close enough. */
    private static final Duration START_UNCERTAINTY = Duration.ofSeconds(5);

    public CheckIn {
        contraindications = contraindications == null ? Set.of() : Set.copyOf(contraindications);
    }

    public CheckIn cancelled(Instant when) {
        return new CheckIn(id, fleetId, tableId, patientRef, contraindications, prescription, at, startBy, when, includeRunningSession);
    }

    /** "patient p-17 checked in; contraindications: glaucoma; prescribed 20-40 degrees for 3 min": said in every alert of its session. */
    public String terms() {
        StringBuilder terms = new StringBuilder("patient ").append(patientRef).append(" checked in");
        if (!contraindications.isEmpty()) {
            terms.append("; contraindications: ").append(Contraindication.labels(contraindications));
        }
        if (prescription != null) {
            terms.append("; prescribed ").append(prescription.label());
        }
        return terms.toString();
    }

    /** Whether a session seen at {@code observedAt}, {@code elapsed} after it began, is the one this check-in is for. */
    boolean startsWith(Instant observedAt, Duration elapsed) {
        Instant began = observedAt.minus(elapsed);
        boolean after = includeRunningSession ? !observedAt.isBefore(at) : !began.isBefore(at.minus(START_UNCERTAINTY));
        return cancelledAt == null && after && began.isBefore(startBy);
    }
}
