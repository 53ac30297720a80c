package io.tiltfleet.notification.delivery;

import io.tiltfleet.notification.NotificationProperties;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Every tick, claims due notifications while fewer than {@code max-concurrent-sends} are in flight, and starts
 * each send on its own: a slow or dead receiver holds one slot for at most the send timeout, never the tick or
 * the other sends. A claim is a lease ({@code claim-lease}) longer than a send: an instance that dies mid-send leaves its
 * claims to be taken again once the lease runs out, so nothing is lost, and what it may have sent already goes
 * out again under the same idempotency key.
 */
@Component
class DeliveryScheduler implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(DeliveryScheduler.class);

    private final ScheduleStore schedule;
    private final DeliveryWorker worker;
    private final DeliveryRecorder recorder;
    private final Clock clock;
    private final Duration tick;
    private final Duration lease;
    private final int maxInFlight;
    private final String owner = UUID.randomUUID().toString();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile Disposable ticking;

    DeliveryScheduler(ScheduleStore schedule, DeliveryWorker worker, DeliveryRecorder recorder, Clock clock, NotificationProperties properties) {
        this.schedule = schedule;
        this.worker = worker;
        this.recorder = recorder;
        this.clock = clock;
        this.tick = properties.tick();
        this.lease = properties.claimLease();
        this.maxInFlight = properties.maxConcurrentSends();
    }

    @Override
    public void start() {
        ticking = Flux.interval(tick).onBackpressureDrop()
                .concatMap(t -> claimDue().onErrorResume(e -> {
                    log.warn("Cannot look for due notifications: {}", e.toString());
                    return Mono.empty();
                }))
                .subscribe();
    }

    private Mono<Void> claimDue() {
        Instant now = clock.instant();
        return claimOne(now).expand(claimed -> claimOne(now)).doOnNext(this::send)
                .then(schedule.pending().doOnNext(recorder::pending)).then();
    }

    private Mono<ScheduledNotification> claimOne(Instant now) {
        if (inFlight.get() >= maxInFlight) {
            return Mono.empty();
        }
        return schedule.claim(owner, now, lease).doOnNext(claimed -> inFlight.incrementAndGet());
    }

    private void send(ScheduledNotification claimed) {
        worker.deliver(claimed).doFinally(signal -> inFlight.decrementAndGet()).subscribe(done -> { },
                e -> log.warn("Notification {} not settled, tried again once its claim runs out: {}", claimed.id(), e.toString()));
    }

    @Override
    public void stop() {
        if (ticking != null) {
            ticking.dispose();
        }
    }

    @Override
    public boolean isRunning() {
        return ticking != null && !ticking.isDisposed();
    }
}
