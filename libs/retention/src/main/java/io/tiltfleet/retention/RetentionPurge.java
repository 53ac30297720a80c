package io.tiltfleet.retention;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Query;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Removes what is older than its kind's retention, at start and then at every interval: plain deletes by a time field,
 * so that the MongoDB stand-in purges as MongoDB does (no TTL index). Counted in {@code <metric>{kind}}; a purge that
 * fails (MongoDB away) or takes longer than the interval (MongoDB hanging) is logged and tried again at the next run.
 */
public final class RetentionPurge implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RetentionPurge.class);

    /**
     * One kind of data and how long it is kept.
     *
     * @param olderThan the documents of this kind to remove, given the oldest time kept
     * @param keep      null: kept for ever
     */
    public record Kind(String name, Class<?> type, Function<Instant, Query> olderThan, Duration keep) {
    }

    private final ReactiveMongoTemplate mongo;
    private final MeterRegistry registry;
    private final Clock clock;
    private final String metric;
    private final Duration every;
    private final List<Kind> kinds;
    private volatile Disposable running;

    public RetentionPurge(ReactiveMongoTemplate mongo, MeterRegistry registry, Clock clock, String metric, Duration every, List<Kind> kinds) {
        this.mongo = mongo;
        this.registry = registry;
        this.clock = clock;
        this.metric = metric;
        this.every = every;
        this.kinds = kinds.stream().filter(kind -> kind.keep() != null).toList();
        this.kinds.forEach(kind -> registry.counter(metric, "kind", kind.name()));
    }

    public void start() {
        if (!kinds.isEmpty()) {
            // one run at a time, none queued (prefetch 0): the ticks that come during a long run are dropped, not run back to back after it
            running = Flux.interval(Duration.ZERO, every).onBackpressureDrop().concatMap(tick -> purgeAll(), 0).subscribe();
        }
    }

    @Override
    public void close() {
        if (running != null) {
            running.dispose();
        }
    }

    private Mono<Void> purgeAll() {
        return Flux.fromIterable(kinds).concatMap(kind -> Mono.defer(() -> mongo.remove(kind.olderThan().apply(clock.instant().minus(kind.keep())),
                        kind.type()))
                .doOnNext(removed -> {
                    registry.counter(metric, "kind", kind.name()).increment(removed.getDeletedCount());
                    if (removed.getDeletedCount() > 0) {
                        log.info("Removed {} {} older than {}", removed.getDeletedCount(), kind.name(), kind.keep());
                    }
                })
                // a MongoDB that hangs must not stop every later purge: the next run tries again
                .timeout(every)
                .onErrorResume(failure -> {
                    log.warn("Removing {} older than {} failed, trying again in {}: {}", kind.name(), kind.keep(), every, failure.toString());
                    return Mono.empty();
                }))
                .then();
    }
}
