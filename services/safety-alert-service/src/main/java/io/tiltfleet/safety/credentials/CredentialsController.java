package io.tiltfleet.safety.credentials;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.Ids;
import io.tiltfleet.safety.limits.ConfigChange;
import io.tiltfleet.safety.limits.ConfigRequests;
import io.tiltfleet.safety.limits.FleetConfig;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.CacheControl;
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
import reactor.core.scheduler.Schedulers;

/**
 * A table's MQTT account, made, given a new password and revoked while the platform runs: applied to the broker at
 * once through its dynamic-security plugin, so that a rotated password is refused and a revoked table dropped at once.
 * The new password is shown in the answer only, once; the configuration log and the audit trail record the change
 * (asked for, then done or failed), never the password.
 */
@RestController
class CredentialsController {

    private static final Logger log = LoggerFactory.getLogger(CredentialsController.class);
    /** 192 random bits: as strong as the broker's hashing makes worth having. */
    private static final int PASSWORD_BYTES = 24;
    /** Below the gateway's response timeout (15 s), which would otherwise answer for us, saying nothing of what was done. */
    private static final Duration ANSWER_WITHIN = Duration.ofSeconds(13);

    private final DynamicSecurity broker;
    private final FleetConfig config;
    private final ConfigRequests requests;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    CredentialsController(DynamicSecurity broker, FleetConfig config, ConfigRequests requests, Clock clock) {
        this.broker = broker;
        this.config = config;
        this.requests = requests;
        this.clock = clock;
    }

    /** @param reason why, for the audit trail (a suspected leak, a replaced controller board) */
    record CredentialsRequest(@Size(max = 500) String reason) {
    }

    /**
     * @param username the account: the table signs in with it and must use it as its client id too
     * @param password shown this once: nothing keeps it but the broker, hashed
     */
    record IssuedCredentials(String fleetId, String tableId, String username, String clientId, String password, Instant issuedAt) {
    }

    /** Creates the table's account, or gives it a new password (the old one is refused from then on, and its connection dropped). */
    @PostMapping("/api/fleet/{fleetId}/tables/{tableId}/credentials")
    Mono<ResponseEntity<IssuedCredentials>> issue(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                                  @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                                  @Valid @RequestBody(required = false) CredentialsRequest request,
                                                  @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        String reason = request == null ? null : request.reason();
        TableCredentials asked = TableCredentials.pending(fleetId, tableId, TableCredentials.Action.ISSUE, clock.instant());
        String password = newPassword();
        return change(asked, caller, reason, () -> broker.issue(fleetId, tableId, asked.username(), password))
                .map(done -> ResponseEntity.status(HttpStatus.CREATED).cacheControl(CacheControl.noStore())
                        .body(new IssuedCredentials(fleetId, tableId, done.username(), done.username(), password, done.at())));
    }

    @GetMapping("/api/fleet/{fleetId}/tables/{tableId}/credentials")
    Mono<TableCredentials> standing(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                    @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId) {
        return requests.caughtUp().then(Mono.fromSupplier(() -> issued(fleetId, tableId)));
    }

    /** Disables the table's account: the broker drops its connection at once and refuses it until new credentials are issued. */
    @DeleteMapping("/api/fleet/{fleetId}/tables/{tableId}/credentials")
    Mono<TableCredentials> revoke(@PathVariable @Pattern(regexp = Ids.PATTERN) String fleetId,
                                  @PathVariable @Pattern(regexp = Ids.PATTERN) String tableId,
                                  @RequestHeader(name = CallerHeaders.CALLER, required = false) String caller) {
        return requests.caughtUp().then(Mono.fromSupplier(() -> issued(fleetId, tableId))).flatMap(standing -> {
            TableCredentials asked = TableCredentials.pending(fleetId, tableId, TableCredentials.Action.REVOKE, clock.instant());
            return change(asked, caller, null, () -> broker.revoke(fleetId, tableId, asked.username()));
        });
    }

    /**
     * Records the change asked for, then makes it on the broker, then records how that went: the trail holds every change
     * asked for even when this instance stops halfway. The steps go on when the caller stops waiting (the gateway's
     * timeout), so that what the broker did is recorded, but the broker is not asked once the caller has been answered;
     * the caller is answered within {@link #ANSWER_WITHIN}. A broker
     * that refused is FAILED and a 503; one that did not confirm is UNKNOWN and a 503: the change may have been made, and
     * asking again is safe (issuing twice puts the second password in force, revoking twice keeps the account disabled).
     */
    private Mono<TableCredentials> change(TableCredentials asked, String caller, String reason, Runnable onBroker) {
        String by = ConfigRequests.by(caller);
        Instant answeredBy = clock.instant().plus(ANSWER_WITHIN);
        // once the caller has been answered, the broker is not asked: a password nobody received would lock the table out
        Runnable unlessAnswered = () -> {
            if (clock.instant().isAfter(answeredBy)) {
                throw new DynamicSecurity.BrokerRefused("the broker was not asked: the request was answered before its turn came");
            }
            onBroker.run();
        };
        CompletableFuture<TableCredentials> steps = requests.record(ConfigChange.ofCredentials(asked, by, reason, asked.at()))
                .then(Mono.fromRunnable(unlessAnswered).subscribeOn(Schedulers.boundedElastic()))
                .then(Mono.defer(() -> outcome(asked.done(clock.instant()), by, reason)))
                .onErrorResume(DynamicSecurity.BrokerRefused.class, refused -> outcome(asked.failed(clock.instant(), refused.getMessage()), by, reason)
                        .then(Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, refused.getMessage()
                                + "; nothing was changed", refused))))
                .onErrorResume(DynamicSecurity.BrokerUnanswered.class, unanswered -> outcome(asked.unconfirmed(clock.instant(),
                                unanswered.getMessage()), by, reason)
                        .then(Mono.error(new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE, unanswered.getMessage()
                                + "; it may have been made: ask again (a password not answered is not to be used)", unanswered))))
                .toFuture();
        return Mono.fromFuture(steps, true).timeout(ANSWER_WITHIN, Mono.error(() -> new ResponseStatusException(HttpStatus.SERVICE_UNAVAILABLE,
                "the change is still under way: read the credentials back in a moment (a password not answered is not to be used)")));
    }

    /** Records how the broker change went; the caller gets the outcome even if the record fails (the trail has the request). */
    private Mono<TableCredentials> outcome(TableCredentials outcome, String by, String reason) {
        return requests.record(ConfigChange.ofCredentials(outcome, by, reason, outcome.at()))
                .onErrorResume(notRecorded -> {
                    log.warn("Credentials of {}: {} {}, but the outcome was not recorded: {}", outcome.username(), outcome.action(),
                            outcome.status(), notRecorded.toString());
                    return Mono.empty();
                }).thenReturn(outcome);
    }

    private TableCredentials issued(String fleetId, String tableId) {
        TableCredentials standing = config.credentialsOf(fleetId, tableId);
        if (standing == null) {
            throw new ResponseStatusException(HttpStatus.NOT_FOUND, "no credentials were issued to table '" + tableId + "' of fleet '" + fleetId
                    + "' through the API");
        }
        return standing;
    }

    private String newPassword() {
        byte[] bytes = new byte[PASSWORD_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
