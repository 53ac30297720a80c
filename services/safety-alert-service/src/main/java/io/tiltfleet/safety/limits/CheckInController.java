package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.fleetstate.TableStateDocument;
import io.tiltfleet.safety.fleetstate.TableStateStore;
import io.tiltfleet.safety.rules.CheckIn;
import io.tiltfleet.safety.rules.Contraindication;
import io.tiltfleet.safety.rules.Prescription;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/**
 * A patient checked in to a table for its next session: in clinics, tables change patients several times a day,
 * and a contraindication left on the table from the last one raises false alerts while a missing one hides a real
 * risk. A check-in goes on the fleets' configuration log like any other change, so the instance owning the table
 * applies it whichever instance took it.
 */
@RestController
class CheckInController {

    private final FleetConfig config;
    private final ConfigRequests requests;
    private final TableStateStore states;
    private final SafetyProperties properties;
    private final Clock clock;

    CheckInController(FleetConfig config, ConfigRequests requests, TableStateStore states, SafetyProperties properties, Clock clock) {
        this.config = config;
        this.requests = requests;
        this.states = states;
        this.properties = properties;
        this.clock = clock;
    }

    /**
     * @param patientRef        a pseudonymous reference (never a name: it is shown in alerts and the audit trail)
     * @param contraindications the patient's, {@code []} for none: always sent, so that none is forgotten by leaving it out
     * @param prescription      optional: the session's angle band and length
     * @param includeRunningSession true when the patient already lies on the table: the running session counts (left out: false)
     * @param reason            optional, for the audit trail
     */
    record CheckInRequest(@NotNull(message = "patientRef is required: a pseudonymous reference to the patient, never a name")
                          @Pattern(regexp = Ids.PATTERN, message = "patientRef must be 1-64 characters of A-Z, a-z, 0-9, _ and - (a pseudonymous reference)")
                          String patientRef,
                          @NotNull(message = "contraindications are required: the patient's whole list, [] for none")
                          Set<Contraindication> contraindications, @Valid Prescription prescription, Boolean includeRunningSession,
                          @Size(max = 500) String reason) {
    }

    /** Where a check-in stands: waiting for a session, in one, over, lapsed unused or withdrawn. */
    enum Status { WAITING, IN_SESSION, ENDED, LAPSED, WITHDRAWN }

    /** @param sessionId the session that took it up, once one did */
    record CheckInView(CheckIn checkIn, Status status, String sessionId) {
    }

    @PostMapping("/api/fleet/{fleetId}/tables/{tableId}/check-in")
    Mono<ResponseEntity<CheckInView>> checkIn(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                              @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId, @Valid @RequestBody CheckInRequest request,
                                              @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return requests.caughtUp().then(standing(fleetId, tableId).filter(view -> view.status() == Status.IN_SESSION)
                .flatMap(running -> Mono.<ResponseEntity<CheckInView>>error(new ResponseStatusException(HttpStatus.CONFLICT, "patient "
                        + running.checkIn().patientRef() + " is checked in to the session running on the table: withdraw that check-in first "
                        + "(also when the table went silent mid-session), or check the next patient in once the session has ended"))))
                .switchIfEmpty(Mono.defer(() -> {
                    Instant now = clock.instant();
                    CheckIn checkIn = new CheckIn(UUID.randomUUID().toString(), fleetId, tableId, request.patientRef(), request.contraindications(),
                            request.prescription(), now, now.plus(properties.checkInWait()), null, Boolean.TRUE.equals(request.includeRunningSession()));
                    return requests.submit(ConfigChange.ofCheckIn(checkIn, ConfigRequests.by(caller), request.reason(), now),
                            new CheckInView(checkIn, Status.WAITING, null), HttpStatus.CREATED);
                }));
    }

    @GetMapping("/api/fleet/{fleetId}/tables/{tableId}/check-in")
    Mono<CheckInView> current(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId, @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId) {
        return requests.caughtUp().then(standing(fleetId, tableId)).switchIfEmpty(Mono.error(() -> notFound(fleetId, tableId)));
    }

    /** The table's latest check-in and where it stands; empty if it never had one. */
    private Mono<CheckInView> standing(String fleetId, String tableId) {
        return Mono.justOrEmpty(config.checkInOf(fleetId, tableId))
                .flatMap(checkIn -> states.findAll(List.of(new TableRef(fleetId, tableId).key())).next()
                        .map(stored -> view(checkIn, stored)).defaultIfEmpty(view(checkIn, null)));
    }

    /** Withdraws the table's check-in: a session that took it up goes on under the table's own profile. */
    @DeleteMapping("/api/fleet/{fleetId}/tables/{tableId}/check-in")
    Mono<ResponseEntity<CheckInView>> withdraw(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                               @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                               @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return requests.caughtUp().then(Mono.fromSupplier(() -> latest(fleetId, tableId))).flatMap(checkIn -> {
            if (checkIn.cancelledAt() != null) {
                throw new ResponseStatusException(HttpStatus.CONFLICT, "the table's check-in was withdrawn already, at " + checkIn.cancelledAt());
            }
            Instant now = clock.instant();
            CheckIn withdrawn = checkIn.cancelled(now);
            return requests.submit(ConfigChange.ofCheckIn(withdrawn, ConfigRequests.by(caller), null, now),
                    new CheckInView(withdrawn, Status.WITHDRAWN, null), HttpStatus.OK);
        });
    }

    private CheckIn latest(String fleetId, String tableId) {
        CheckIn checkIn = config.checkInOf(fleetId, tableId);
        if (checkIn == null) {
            throw notFound(fleetId, tableId);
        }
        return checkIn;
    }

    private static ResponseStatusException notFound(String fleetId, String tableId) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "table '" + tableId + "' of fleet '" + fleetId + "' has no check-in");
    }

    /** The rules store which check-in a session took up, and whether that session still runs, as soon as either changes. */
    private CheckInView view(CheckIn checkIn, TableStateDocument stored) {
        boolean takenUp = stored != null && stored.checkIn() != null && stored.checkIn().id().equals(checkIn.id());
        String session = takenUp ? stored.checkInSession() : null;
        Status status;
        if (checkIn.cancelledAt() != null) {
            status = Status.WITHDRAWN;
        } else if (takenUp) {
            status = session != null ? Status.IN_SESSION : Status.ENDED;
        } else {
            status = clock.instant().isBefore(checkIn.startBy()) ? Status.WAITING : Status.LAPSED;
        }
        return new CheckInView(checkIn, status, session);
    }
}
