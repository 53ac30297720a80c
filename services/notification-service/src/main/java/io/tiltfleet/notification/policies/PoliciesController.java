package io.tiltfleet.notification.policies;

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

    private final PolicyStore store;
    private final PolicyValidator validator;
    private final Clock clock;

    PoliciesController(PolicyStore store, NotificationProperties properties, Clock clock) {
        this.store = store;
        this.validator = new PolicyValidator(new UrlGuard(properties.allowPlainHttp(), properties.allowPrivateAddresses(), InetAddress::getAllByName),
                properties.minRemindEvery());
        this.clock = clock;
    }

    @GetMapping
    Mono<PolicyView> get(@PathVariable @Pattern(regexp = PolicyRequest.ID) String fleetId) {
        return store.find(fleetId).map(PolicyView::of)
                .switchIfEmpty(Mono.error(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "fleet " + fleetId + " has no notification policy")));
    }

    @PutMapping
    Mono<PolicyView> put(@PathVariable @Pattern(regexp = PolicyRequest.ID) String fleetId, @Valid @RequestBody PolicyRequest request) {
        return store.find(fleetId).map(Optional::of).defaultIfEmpty(Optional.empty())
                // the URL check resolves host names: blocking, so not on the request's thread
                .publishOn(Schedulers.boundedElastic())
                .map(stored -> validator.validate(fleetId, request, stored, clock.instant()))
                .flatMap(result -> result.problems().isEmpty() ? store.save(result.policy())
                        : Mono.error(new ResponseStatusException(HttpStatus.BAD_REQUEST,
                        result.problems().stream().map(PolicyValidator.Problem::toString).collect(Collectors.joining("; ")))))
                .map(PolicyView::of);
    }
}
