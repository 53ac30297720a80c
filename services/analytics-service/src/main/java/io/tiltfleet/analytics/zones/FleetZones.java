package io.tiltfleet.analytics.zones;

import io.tiltfleet.analytics.usage.FleetTimeZones;
import io.tiltfleet.contract.Topics;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Each fleet's time zone, as its settings on {@code fleet.config.v1} say ({@link FleetSettingsLog}): UTC for a
 * fleet that never set one. Rollups are cut in it, so none is computed before the log is read as far as it went.
 */
@Component
public class FleetZones implements FleetTimeZones {

    private static final TopicPartition CONFIG = new TopicPartition(Topics.FLEET_CONFIG, 0);
    private static final Duration READ_WAIT = Duration.ofSeconds(30);
    private static final Duration LOOK_AGAIN = Duration.ofMillis(50);

    private final Map<String, ZoneId> zones = new ConcurrentHashMap<>();
    private final Admin admin;
    private volatile long readUpTo;
    private volatile boolean caughtUp;

    FleetZones(Admin fleetZonesAdmin) {
        this.admin = fleetZonesAdmin;
    }

    @Override
    public ZoneId zoneOf(String fleetId) {
        return zones.getOrDefault(fleetId, ZoneOffset.UTC);
    }

    /** @return the zone the fleet had before */
    ZoneId set(String fleetId, ZoneId zone) {
        ZoneId before = zones.put(fleetId, zone);
        return before == null ? ZoneOffset.UTC : before;
    }

    void readUpTo(long next) {
        readUpTo = Math.max(readUpTo, next);
    }

    /**
     * Completes once the log has been read as far as it went when first asked (at once without the topic: no fleet
     * set a zone yet); fails when that takes longer than 30 s, and is asked again next time.
     */
    @Override
    public Mono<Void> whenRead() {
        if (caughtUp) {
            return Mono.empty();
        }
        return Mono.fromFuture(() -> admin.listOffsets(Map.of(CONFIG, OffsetSpec.latest())).partitionResult(CONFIG)
                        .toCompletionStage().toCompletableFuture())
                .map(end -> end.offset())
                .onErrorResume(UnknownTopicOrPartitionException.class, absent -> Mono.just(0L))
                .flatMap(end -> Mono.fromCallable(() -> readUpTo >= end).filter(read -> read)
                        .repeatWhenEmpty(again -> again.delayElements(LOOK_AGAIN)))
                .timeout(READ_WAIT)
                .onErrorMap(failure -> new IllegalStateException("the fleets' time zones are not read yet (" + Topics.FLEET_CONFIG
                        + " read up to offset " + readUpTo + "): " + failure, failure))
                .doOnSuccess(read -> caughtUp = true).then();
    }
}
