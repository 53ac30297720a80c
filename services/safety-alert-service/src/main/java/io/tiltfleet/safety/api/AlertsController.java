package io.tiltfleet.safety.api;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertEvents;
import io.tiltfleet.safety.alerts.AlertQuery;
import io.tiltfleet.safety.alerts.AlertState;
import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.audit.AuditEntry;
import io.tiltfleet.safety.audit.AuditLog;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.util.retry.Retry;

/** Alerts: list and filter, read one, acknowledge. */
@RestController
@RequestMapping("/api/alerts")
class AlertsController {


    /** As the audit trail names an acknowledgement. */
    static final String ACKNOWLEDGEMENT = "acknowledgement";

    private final AlertStore alerts;
    private final AlertEvents events;
    private final AuditLog audit;
    private final Clock clock;

    AlertsController(AlertStore alerts, AlertEvents events, AuditLog audit, Clock clock) {
        this.alerts = alerts;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
    }

    /** @param by who acknowledges; a call through the gateway is recorded as its credential's name instead */
    record Acknowledgement(@NotBlank @Size(max = 100) String by) {
    }

    @GetMapping
    Flux<Alert> search(@RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String fleetId,
                       @RequestParam(required = false) @Pattern(regexp = Ids.PATTERN) String tableId,
                       @RequestParam(required = false) AlertState state,
                       @RequestParam(required = false) AlertType type,
                       @RequestParam(required = false) Severity severity,
                       @RequestParam(required = false) Instant from,
                       @RequestParam(required = false) Instant to,
                       @RequestParam(defaultValue = "0") @Min(0) int page,
                       @RequestParam(defaultValue = "100") @Min(1) @Max(1000) int size,
                       @RequestHeader(name = CallerHeaders.CALLER, required = false) String name,
                       @RequestHeader(name = CallerHeaders.FLEETS, required = false) String fleets) {
        if (from != null && to != null && !from.isBefore(to)) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "'from' must be before 'to'");
        }
        Caller caller = Caller.of(name, fleets);
        if (caller.limited() && (fleetId == null || !caller.maySee(fleetId))) {
            throw new ResponseStatusException(HttpStatus.FORBIDDEN, "the caller may list alerts of its fleets only: fleetId="
                    + String.join(" or fleetId=", caller.fleets()));
        }
        return alerts.search(new AlertQuery(fleetId, tableId, state, type, severity, from, to, page, size));
    }

    /** An alert of a fleet the caller may not see is answered as if it did not exist. */
    @GetMapping("/{id}")
    Mono<Alert> one(@PathVariable @Pattern(regexp = "[A-Za-z0-9-]{1,64}") String id,
                    @RequestHeader(name = CallerHeaders.CALLER, required = false) String name,
                    @RequestHeader(name = CallerHeaders.FLEETS, required = false) String fleets) {
        return visible(id, Caller.of(name, fleets));
    }

    @PostMapping("/{id}/acknowledge")
    Mono<Alert> acknowledge(@PathVariable @Pattern(regexp = "[A-Za-z0-9-]{1,64}") String id, @Valid @RequestBody Acknowledgement body,
                            @RequestHeader(name = CallerHeaders.CALLER, required = false) String name,
                            @RequestHeader(name = CallerHeaders.FLEETS, required = false) String fleets) {
        Caller caller = Caller.of(name, fleets);
        return visible(id, caller).flatMap(before -> alerts.acknowledge(id, caller.name() != null ? caller.name() : body.by(), clock.instant())
                        // the event and the trail each whatever the other's fate: the acknowledgement is made once it is stored
                        .flatMap(alert -> Mono.whenDelayError(events.publish(alert, AlertChange.ACKNOWLEDGED, null, null),
                                audit.recordAll(List.of(acknowledgement(before, alert))).retryWhen(Retry.backoff(3, Duration.ofMillis(100)))
                                        .onErrorMap(failure -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the alert is "
                                                + "acknowledged, but the audit trail did not record it (" + failure.getMessage() + ")", failure)))
                                .thenReturn(alert)))
                .onErrorMap(IllegalStateException.class, e -> new ResponseStatusException(HttpStatus.CONFLICT, e.getMessage()))
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /** Who acknowledged which alert, and when: in the fleet's audit trail, once (its id is the alert's and the time's). */
    private AuditEntry acknowledgement(Alert before, Alert after) {
        return new AuditEntry(after.id() + "/acknowledged/" + after.acknowledgedAt().toEpochMilli(), after.fleetId(), after.acknowledgedAt(),
                after.acknowledgedBy(), ACKNOWLEDGEMENT, after.tableId(), stateOf(before), stateOf(after), null);
    }

    private static Map<String, Object> stateOf(Alert alert) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("alertId", alert.id());
        state.put("type", alert.type().name());
        state.put("severity", alert.severity().name());
        state.put("state", alert.state().name());
        state.put("acknowledgedBy", alert.acknowledgedBy());
        return state;
    }

    private Mono<Alert> visible(String id, Caller caller) {
        return alerts.find(id).filter(alert -> caller.maySee(alert.fleetId())).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    private static ResponseStatusException notFound(String id) {
        return new ResponseStatusException(HttpStatus.NOT_FOUND, "no alert " + id);
    }
}
