package io.tiltfleet.safety.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.safety.fleetstate.LiveFeed;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/** Publishes every alert change to Kafka (keyed by table id) and to the live streams, and measures it. */
@Component
public class AlertEvents {

    public static final String RAISED = "tiltfleet.safety.alerts.raised";
    public static final String LATENCY = "tiltfleet.safety.alert.latency";

    private final KafkaTemplate<String, Object> kafka;
    private final LiveFeed feed;
    private final MeterRegistry registry;
    private final Timer latency;
    private final Clock clock;

    AlertEvents(KafkaTemplate<String, Object> kafka, LiveFeed feed, MeterRegistry registry, Clock clock) {
        this.kafka = kafka;
        this.feed = feed;
        this.registry = registry;
        this.clock = clock;
        this.latency = Timer.builder(LATENCY).description("From a reading's own timestamp to its alert change being published")
                .publishPercentileHistogram().register(registry);
    }

    /** Completes once Kafka has stored the event. */
    public Mono<Void> publish(Alert alert, String change, Instant readingTs) {
        SafetyAlertEvent event = new SafetyAlertEvent(alert.id(), alert.fleetId(), alert.tableId(), change, alert.type().name(),
                alert.severity().name(), alert.state().name(), alert.reason(), alert.raisedAt(), alert.updatedAt(),
                alert.acknowledgedBy(), readingTs);
        // the producer may block on metadata: never on the request thread of an acknowledgement
        return Mono.fromFuture(() -> kafka.send(Topics.SAFETY_ALERTS, alert.tableId(), event))
                .subscribeOn(Schedulers.boundedElastic()).then(Mono.fromRunnable(() -> {
            feed.publish(event);
            if ("RAISED".equals(change)) {
                registry.counter(RAISED, "type", alert.type().name(), "severity", alert.severity().name()).increment();
            }
            if (readingTs != null) {
                latency.record(Duration.between(readingTs, clock.instant()));
            }
        }));
    }
}
