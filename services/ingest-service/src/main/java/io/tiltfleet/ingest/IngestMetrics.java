package io.tiltfleet.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.tiltfleet.contract.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.stereotype.Component;

/** The ingest service's own meters; every rejection reason is registered up front so that dashboards see zeros. */
@Component
public class IngestMetrics {

    public static final String RECEIVED = "tiltfleet.ingest.messages.received";
    public static final String FORWARDED = "tiltfleet.ingest.messages.forwarded";
    public static final String REJECTED = "tiltfleet.ingest.messages.rejected";
    public static final String IN_FLIGHT = "tiltfleet.ingest.messages.inflight";
    public static final String FORWARD_FAILURES = "tiltfleet.ingest.forward.failures";
    public static final String KAFKA_SEND = "tiltfleet.ingest.kafka.send";

    private final Counter received;
    private final Counter forwardedReadings;
    private final Counter forwardedStatuses;
    private final Map<RejectReason.Rule, Counter> rejected = new EnumMap<>(RejectReason.Rule.class);
    private final Counter forwardFailures;
    private final Timer kafkaSend;
    private final AtomicInteger inFlight = new AtomicInteger();

    public IngestMetrics(MeterRegistry registry) {
        received = Counter.builder(RECEIVED).description("MQTT messages received from tables").register(registry);
        forwardedReadings = forwarded(registry, "telemetry");
        forwardedStatuses = forwarded(registry, "status");
        for (RejectReason.Rule rule : RejectReason.Rule.values()) {
            rejected.put(rule, Counter.builder(REJECTED).tag("reason", rule.name())
                    .description("Messages refused and stored in the reject topic, by the rule they broke").register(registry));
        }
        forwardFailures = Counter.builder(FORWARD_FAILURES)
                .description("Messages Kafka did not store; they stay unacknowledged at the MQTT broker").register(registry);
        kafkaSend = Timer.builder(KAFKA_SEND).description("Time from handing a record to the producer to Kafka's acknowledgement")
                .publishPercentileHistogram().register(registry);
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Messages received and not yet acknowledged to the MQTT broker").register(registry);
    }

    private static Counter forwarded(MeterRegistry registry, String kind) {
        return Counter.builder(FORWARDED).tag("kind", kind).description("Messages stored in Kafka").register(registry);
    }

    public void received() {
        received.increment();
        inFlight.incrementAndGet();
    }

    public void settled() {
        inFlight.decrementAndGet();
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void forwardedReading() {
        forwardedReadings.increment();
    }

    public void forwardedStatus() {
        forwardedStatuses.increment();
    }

    public void rejected(RejectReason.Rule rule) {
        rejected.get(rule).increment();
    }

    public void forwardFailed() {
        forwardFailures.increment();
    }

    public double forwardFailures() {
        return forwardFailures.count();
    }

    public Timer kafkaSend() {
        return kafkaSend;
    }
}
