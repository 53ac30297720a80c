package io.tiltfleet.notification.delivery;

import io.tiltfleet.contract.NotificationDelivery;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.acklinks.AckLinks;
import io.tiltfleet.notification.channels.ChannelSenders;
import io.tiltfleet.notification.channels.Notification;
import io.tiltfleet.notification.channels.SendResult;
import io.tiltfleet.notification.channels.UrlGuard;
import io.tiltfleet.notification.escalation.EscalationPlanner;
import io.tiltfleet.notification.policies.Channel;
import io.tiltfleet.notification.policies.NotificationPolicy;
import io.tiltfleet.notification.policies.PolicyStore;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Delivers one claimed notification: only while its alert is still unacknowledged and its channel still in the
 * policy, only to an address the {@link UrlGuard} allows now (DNS may have changed since the policy was stored);
 * marks it delivered, failed for good, or due again after a backoff, plans the next reminder, and then records the
 * attempt. The schedule is the truth and is settled first: a record that fails (Kafka or MongoDB away) is only
 * logged, so it can neither hold a notification unsettled nor keep max-attempts and the backoff from applying.
 */
@Component
class DeliveryWorker {

    private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);

    /** The attempt record needs no claim (settled already); bounded on its own so that a stuck Kafka send ends. */
    static final Duration RECORD_TIMEOUT = Duration.ofSeconds(5);

    private record Decided(String outcome, String detail) {
    }

    private final AlertStateStore alerts;
    private final PolicyStore policies;
    private final ScheduleStore schedule;
    private final ChannelSenders senders;
    private final DeliveryRecorder recorder;
    private final AckLinks ackLinks;
    private final UrlGuard guard;
    private final Backoff backoff;
    private final Clock clock;
    /** Up to settling, an attempt holds the claim, so it must end a second before the lease does. */
    private final Duration holdLimit;
    /** Half of what the lease leaves beyond the send; the other half is for settling. */
    private final Duration guardTimeout;
    private final EscalationPlanner planner = new EscalationPlanner();

    DeliveryWorker(AlertStateStore alerts, PolicyStore policies, ScheduleStore schedule, ChannelSenders senders, DeliveryRecorder recorder,
                   AckLinks ackLinks, NotificationProperties properties, Clock clock) {
        this.alerts = alerts;
        this.policies = policies;
        this.schedule = schedule;
        this.senders = senders;
        this.recorder = recorder;
        this.ackLinks = ackLinks;
        this.guard = new UrlGuard(properties.allowPlainHttp(), properties.allowPrivateAddresses(), InetAddress::getAllByName);
        this.backoff = new Backoff(properties.delivery().initialBackoff(), properties.delivery().maxBackoff(), properties.delivery().maxAttempts());
        this.clock = clock;
        this.holdLimit = properties.claimLease().minusSeconds(1);
        this.guardTimeout = properties.claimLease().minus(properties.sendTimeout()).minusSeconds(1).dividedBy(2);
    }

    Mono<Void> deliver(ScheduledNotification claimed) {
        return alerts.find(claimed.alertId()).map(Optional::of).defaultIfEmpty(Optional.empty())
                .zipWith(policies.find(claimed.fleetId()).map(Optional::of).defaultIfEmpty(Optional.empty()))
                .flatMap(found -> {
                    AlertStateStore.AlertState alert = found.getT1().orElse(null);
                    Optional<Channel> channel = found.getT2().flatMap((NotificationPolicy policy) -> policy.channel(claimed.channelId()));
                    if (alert == null || !EscalationPlanner.UNACKNOWLEDGED.equals(alert.state()) || channel.isEmpty()) {
                        // acknowledged, cleared, or the channel left the policy: nobody is to be told any more
                        return schedule.finish(claimed.id(), claimed.claimedBy(), ScheduledNotification.CANCELLED, claimed.attempts())
                                .then(Mono.<NotificationDelivery>empty());
                    }
                    return send(claimed, alert, channel.get());
                })
                .timeout(holdLimit)
                .flatMap(delivery -> recorder.record(delivery, claimed.dueAt()).timeout(RECORD_TIMEOUT)
                        .onErrorResume(e -> {
                            log.atWarn().addKeyValue("alertId", claimed.alertId()).log("Attempt {} of notification {} not recorded: {}",
                                    delivery.attempt(), claimed.id(), e.toString());
                            return Mono.empty();
                        }));
    }

    /** The attempt, once settled, for the record. */
    private Mono<NotificationDelivery> send(ScheduledNotification claimed, AlertStateStore.AlertState alert, Channel channel) {
        int attempt = claimed.attempts() + 1;
        Mono<UrlGuard.Check> allowed = channel.kind().http()
                ? Mono.fromCallable(() -> guard.check(channel.url())).subscribeOn(Schedulers.boundedElastic())
                        .timeout(guardTimeout, Mono.just(new UrlGuard.Check(UrlGuard.Verdict.UNRESOLVED, "host lookup took over " + guardTimeout)))
                : Mono.just(new UrlGuard.Check(UrlGuard.Verdict.ALLOWED, null));
        return allowed.flatMap(check -> switch (check.verdict()) {
                    case REFUSED -> Mono.just(new Decided("REFUSED", "url " + check.reason()));
                    case UNRESOLVED -> Mono.just(decide(new SendResult(SendResult.Outcome.RETRY, check.reason()), attempt));
                    case ALLOWED -> senders.send(channel, recipient -> notification(claimed, alert, recipient)).map(result -> decide(result, attempt));
                })
                .flatMap(decided -> {
                    Instant now = clock.instant();
                    NotificationDelivery delivery = new NotificationDelivery(claimed.id(), claimed.alertId(), claimed.fleetId(), claimed.tableId(),
                            claimed.channelId(), channel.kind().name(), claimed.tier(), claimed.sequence(), attempt, decided.outcome(), decided.detail(), now);
                    log.atInfo().addKeyValue("alertId", claimed.alertId()).log("Notification {} attempt {}: {} ({})", claimed.id(), attempt,
                            decided.outcome(), decided.detail());
                    return settle(claimed, alert, decided.outcome(), attempt, now).thenReturn(delivery);
                });
    }

    private Decided decide(SendResult result, int attempt) {
        return switch (result.outcome()) {
            case DELIVERED -> new Decided("DELIVERED", result.detail());
            case PERMANENT -> new Decided("FAILED_FOR_GOOD", result.detail());
            case RETRY -> backoff.after(attempt) == null ? new Decided("FAILED_FOR_GOOD", result.detail() + " (last attempt)")
                    : new Decided("RETRYING", result.detail());
        };
    }

    private Mono<Void> settle(ScheduledNotification claimed, AlertStateStore.AlertState alert, String outcome, int attempt, Instant now) {
        if (outcome.equals("RETRYING")) {
            Duration pause = backoff.after(attempt);
            return schedule.retry(claimed.id(), claimed.claimedBy(), attempt, now.plus(pause));
        }
        Mono<Void> finished = schedule.finish(claimed.id(), claimed.claimedBy(), outcome, attempt);
        if (outcome.equals("REFUSED")) {
            return finished;
        }
        // the next reminder first: if the instance dies in between, this one is sent again and plans the same key
        // again (no change); finished first, the reminders would end there for good
        return Mono.justOrEmpty(planner.nextReminder(claimed.planned(), alert.state(), now))
                .flatMap(next -> schedule.plan(List.of(next))).then(finished);
    }

    private Notification notification(ScheduledNotification claimed, AlertStateStore.AlertState alert, String recipient) {
        return new Notification(claimed.id(), claimed.alertId(), claimed.fleetId(), claimed.tableId(), alert.type(), alert.severity(),
                alert.state(), alert.reason(), alert.raisedAt(), claimed.tier(), claimed.sequence(),
                ackLinks.link(claimed.alertId(), claimed.fleetId(), recipient), clock.instant(), alert.location());
    }
}
