package io.tiltfleet.safety.alerts;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Publishes every alert change to Kafka (keyed by fleet and table), from where every instance's live feed
 * shows it (see {@link io.tiltfleet.safety.fleetstate.LiveFeedRelay}), and measures it.
 * A change caused by a reading continues that reading's trace (read from its record's headers), so an
 * alert event can be followed back through Kafka to the MQTT message that reached the ingest.
 */
@Component
public class AlertEvents {

    public static final String RAISED = "tiltfleet.safety.alerts.raised";
    public static final String LATENCY = "tiltfleet.safety.alert.latency";
    public static final String PUBLISH_OBSERVATION = "tiltfleet.safety.alert.publish";

    private static final Logger log = LoggerFactory.getLogger(AlertEvents.class);

    private final KafkaTemplate<String, Object> kafka;
    private final MeterRegistry registry;
    private final ObservationRegistry observations;
    private final Timer latency;
    private final Clock clock;

    AlertEvents(KafkaTemplate<String, Object> kafka, MeterRegistry registry, ObservationRegistry observations, Clock clock) {
        this.kafka = kafka;
        this.registry = registry;
        this.observations = observations;
        this.clock = clock;
        this.latency = Timer.builder(LATENCY).description("From a reading's own timestamp to its alert change being published")
                .publishPercentileHistogram().register(registry);
    }

    /**
     * Completes once Kafka has stored the event.
     *
     * @param cause the headers of the record whose event caused the change; null when time or a person did
     */
    public Mono<Void> publish(Alert alert, AlertChange change, Instant readingTs, Headers cause) {
        SafetyAlertEvent event = eventOf(alert, change, readingTs);
        // the producer may block on metadata: never on the request thread of an acknowledgement
        return Mono.fromFuture(() -> observation(alert, change, cause).observe(() -> {
                    log.atInfo().addKeyValue("tableId", alert.tableId()).addKeyValue("alertId", alert.id())
                            .log("Alert {} {} for table {}/{}: {}", alert.type(), change, alert.fleetId(), alert.tableId(), alert.reason());
                    return kafka.send(Topics.SAFETY_ALERTS, new TableRef(alert.fleetId(), alert.tableId()).key(), event);
                }))
                .subscribeOn(Schedulers.boundedElastic()).then(Mono.fromRunnable(() -> {
            if (change == AlertChange.RAISED) {
                registry.counter(RAISED, "type", alert.type().name(), "severity", alert.severity().name()).increment();
            }
            if (readingTs != null) {
                latency.record(Duration.between(readingTs, clock.instant()));
            }
        }));
    }

    /** The event of an alert's change; {@code readingTs} is null when time or a person caused it. */
    public static SafetyAlertEvent eventOf(Alert alert, AlertChange change, Instant readingTs) {
        return new SafetyAlertEvent(alert.id(), alert.fleetId(), alert.tableId(), change, alert.type().name(),
                alert.severity().name(), alert.state().name(), alert.reason(), alert.raisedAt(), alert.updatedAt(),
                alert.acknowledgedBy(), readingTs, alert.location());
    }

    private Observation observation(Alert alert, AlertChange change, Headers cause) {
        Observation observation = cause == null ? Observation.createNotStarted(PUBLISH_OBSERVATION, observations)
                : Observation.createNotStarted(PUBLISH_OBSERVATION, () -> continuing(cause), observations);
        return observation.lowCardinalityKeyValue("type", alert.type().name()).lowCardinalityKeyValue("change", change.name())
                .highCardinalityKeyValue("table.id", alert.tableId());
    }

    private static ReceiverContext<Headers> continuing(Headers cause) {
        ReceiverContext<Headers> context = new ReceiverContext<>((headers, key) -> {
            Header header = headers.lastHeader(key);
            return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
        });
        context.setCarrier(cause);
        return context;
    }
}
