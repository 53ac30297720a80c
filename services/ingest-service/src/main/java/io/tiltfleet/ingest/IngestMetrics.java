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
    /** Tag values of {@link #FORWARD_FAILURES}: what the ingest did about the failure. */
    public static final String RETRIED = "retried";
    public static final String REDELIVERED = "redelivered";

    private final Counter received;
    private final Counter forwardedReadings;
    private final Counter forwardedStatuses;
    private final Map<RejectReason.Rule, Counter> rejected = new EnumMap<>(RejectReason.Rule.class);
    private final Counter handOverRetries;
    private final Counter redeliveries;
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
        handOverRetries = forwardFailure(registry, RETRIED,
                "Records the producer refused to take, for a reason that passes (Kafka away); handed over again in order");
        redeliveries = forwardFailure(registry, REDELIVERED,
                "Messages Kafka did not store, or records the producer cannot take (serialisation); the intake reconnects unacknowledged and the broker redelivers them");
        kafkaSend = Timer.builder(KAFKA_SEND).description("Time from handing a record to the producer to Kafka's acknowledgement")
                .publishPercentileHistogram().register(registry);
        Gauge.builder(IN_FLIGHT, inFlight, AtomicInteger::get)
                .description("Messages received and not yet acknowledged to the MQTT broker").register(registry);
    }

    private static Counter forwardFailure(MeterRegistry registry, String handling, String description) {
        return Counter.builder(FORWARD_FAILURES).tag("handling", handling).description(description).register(registry);
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

    public void handOverRetried() {
        handOverRetries.increment();
    }

    public void forwardFailed() {
        redeliveries.increment();
    }

    /** Every failure to store a record, however it was handled. */
    public long forwardFailures() {
        return (long) (handOverRetries.count() + redeliveries.count());
    }

    public Timer kafkaSend() {
        return kafkaSend;
    }
}
