package io.tiltfleet.notification.policies;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.channels.UrlGuard;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import java.net.InetAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** A fleet's notification policy: read it, replace it. The caller's fleets are checked by the API's caller filter. */
@Validated
@RestController
@RequestMapping("/api/fleets/{fleetId}/notification-policies")
class PoliciesController {

    /** Who changed a policy when the local run is called without the gateway, which otherwise names the caller. */
    private static final String UNNAMED_CALLER = "local-run";

    private final PolicyStore store;
    private final PolicyAudit audit;
    private final PolicyValidator validator;
    private final Clock clock;

    PoliciesController(PolicyStore store, PolicyAudit audit, NotificationProperties properties, Clock clock) {
        this.store = store;
        this.audit = audit;
        this.validator = new PolicyValidator(new UrlGuard(properties.allowPlainHttp(), properties.allowPrivateAddresses(), InetAddress::getAllByName),
                properties.minRemindEvery());
        this.clock = clock;
    }

    @GetMapping
    Mono<PolicyView> get(@PathVariable @Pattern(regexp = PolicyRequest.ID) String fleetId) {
        return store.find(fleetId).map(PolicyView::of)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "fleet " + fleetId + " has no notification policy")));
    }

    /**
     * Replaces the fleet's policy, then records the change in the fleets' audit trail. A change saved but not recorded
     * (MongoDB gone in between) is answered 503: sending it again saves the same and records it.
     */
    @PutMapping
    Mono<PolicyView> put(@PathVariable @Pattern(regexp = PolicyRequest.ID) String fleetId, @Valid @RequestBody PolicyRequest request,
                         @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return store.find(fleetId).map(Optional::of).defaultIfEmpty(Optional.empty())
                // the URL check resolves host names: blocking, so not on the request's thread
                .publishOn(Schedulers.boundedElastic())
                .flatMap(stored -> {
                    PolicyValidator.Result result = validator.validate(fleetId, request, stored, clock.instant());
                    if (!result.problems().isEmpty()) {
                        return Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
                                result.problems().stream().map(PolicyValidator.Problem::toString).collect(Collectors.joining("; "))));
                    }
                    PolicyView before = stored.map(PolicyView::of).orElse(null);
                    return store.save(result.policy()).map(PolicyView::of).flatMap(after -> audit.record(fleetId, before, after,
                                    caller != null ? caller : UNNAMED_CALLER, clock.instant())
                            .onErrorMap(failure -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, "the policy was saved but not "
                                    + "recorded in the audit trail (" + failure.getMessage() + "): send it again", failure))
                            .thenReturn(after));
                });
    }
}
