package io.tiltfleet.safety.limits;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import reactor.core.publisher.Mono;

/** How every request that reads or changes the fleets' configuration is answered, whichever part of it the request concerns. */
@Component
public class ConfigRequests {

    /** Who changed something when the local run is called without the gateway, which otherwise names the caller. */
    private static final String UNNAMED_CALLER = "local-run";

    private final FleetConfigLog log;

    ConfigRequests(FleetConfigLog log) {
        this.log = log;
    }

    /** 200 (or {@code applied}) once read back here, 202 once Kafka holds it, 503 when Kafka did not confirm it. */
    public <T> Mono<ResponseEntity<T>> submit(ConfigChange change, T answer, HttpStatus applied) {
        return log.submit(change).thenReturn(ResponseEntity.status(applied).body(answer))
                .onErrorResume(FleetConfigLog.NotYetApplied.class, notYet -> Mono.just(ResponseEntity.accepted().body(answer)))
                .onErrorMap(FleetConfigLog.NotConfirmed.class, unconfirmed -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        unconfirmed.getMessage(), unconfirmed));
    }

    /** Done once Kafka holds the change, read back here or not yet; 503 when Kafka did not confirm it. */
    public Mono<Void> record(ConfigChange change) {
        return log.submit(change).onErrorResume(FleetConfigLog.NotYetApplied.class, notYet -> Mono.empty())
                .onErrorMap(FleetConfigLog.NotConfirmed.class, unconfirmed -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                        unconfirmed.getMessage(), unconfirmed));
    }

    /** Until this instance has read the configuration log, it cannot say what is in force. */
    public Mono<Void> caughtUp() {
        return log.whenCaughtUp().onErrorMap(IllegalStateException.class, notYet -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                notYet.getMessage(), notYet));
    }

    /** Until this instance has read the table registry, it cannot say what an entry is. */
    public Mono<Void> registryRead() {
        return log.whenRegistryRead().onErrorMap(IllegalStateException.class, notYet -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                notYet.getMessage(), notYet));
    }

    public static String by(String caller) {
        return caller != null ? caller : UNNAMED_CALLER;
    }
}
