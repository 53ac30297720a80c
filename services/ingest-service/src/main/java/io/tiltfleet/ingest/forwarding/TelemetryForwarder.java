package io.tiltfleet.ingest.forwarding;

import io.micrometer.core.instrument.Timer;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.tiltfleet.contract.DeviceMessageValidator;
import io.tiltfleet.contract.DeviceTopic;
import io.tiltfleet.contract.RejectReason;
import io.tiltfleet.contract.RecordHeaders;
import io.tiltfleet.contract.RejectedMessage;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.contract.ValidationResult;
import io.tiltfleet.ingest.IngestMetrics;
import io.tiltfleet.ingest.IngestProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.header.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;
import org.springframework.stereotype.Component;

/**
 * Validates one device message and stores it in Kafka, keyed by {@link TableRef#key() fleet and table}:
 * readings and statuses in their topics, anything else with its reason in the reject topic. The returned
 * future completes only once Kafka has acknowledged the record, which is when the MQTT message may be
 * acknowledged; it fails when Kafka will not store the record, or the producer cannot take it at all
 * (serialisation), and then the caller has the broker redeliver the message. Calls block while Kafka is
 * away: make them from one thread, in arrival order.
 *
 * <p>Each message starts a trace with a span ({@value #FORWARD_SPAN}) whose context goes into the
 * record's headers (W3C {@code traceparent}), so that the consumers' work continues the same trace. A
 * span, not an observation: the Kafka template's observation and an observation of our own, with the
 * timers each one kept, took a third of the ingest's processor at 3,000 messages/s; the time to store
 * a record is measured once, by {@link IngestMetrics#kafkaSend()}.
 */
@Component
public class TelemetryForwarder {

    public static final String FORWARD_SPAN = "tiltfleet.ingest.forward";

    private static final Logger log = LoggerFactory.getLogger(TelemetryForwarder.class);

    private final DeviceMessageValidator validator;
    private final RetryTemplate handOverRetry = handOverRetry();
    private final KafkaTemplate<String, Object> kafka;
    private final KafkaAdmin admin;
    private final IngestMetrics metrics;
    private final Tracer tracer;
    private final Propagator propagator;
    private final Clock clock;
    /** When the records stopped being stored; null while the last one was. */
    private volatile Instant failingSince;

    public TelemetryForwarder(KafkaTemplate<String, Object> kafka, KafkaAdmin admin, IngestMetrics metrics,
                              Tracer tracer, Propagator propagator, Clock clock, IngestProperties properties) {
        this.validator = new DeviceMessageValidator(properties.maxClockSkew());
        this.kafka = kafka;
        this.admin = admin;
        this.metrics = metrics;
        this.tracer = tracer;
        this.propagator = propagator;
        this.clock = clock;
    }

    public CompletableFuture<Void> forward(String mqttTopic, byte[] payload, boolean redelivered) {
        Instant receivedAt = clock.instant();
        ValidationResult result = validate(mqttTopic, payload, receivedAt);
        ProducerRecord<String, Object> record = new ProducerRecord<>(topicOf(result), result.key(),
                valueOf(result, mqttTopic, receivedAt, payload));
        Headers headers = record.headers();
        headers.add(RecordHeaders.MQTT_TOPIC, mqttTopic.getBytes(StandardCharsets.UTF_8));
        headers.add(RecordHeaders.RECEIVED_AT, receivedAt.toString().getBytes(StandardCharsets.UTF_8));
        headers.add(RecordHeaders.MQTT_REDELIVERED, Boolean.toString(redelivered).getBytes(StandardCharsets.UTF_8));
        Span span = tracer.nextSpan().name(FORWARD_SPAN).tag("topic", record.topic()).tag("table.key", result.key()).start();
        try (Tracer.SpanInScope scope = tracer.withSpan(span)) {
            propagator.inject(span.context(), headers, (carrier, name, value) -> carrier.add(name, value.getBytes(StandardCharsets.UTF_8)));
            if (result instanceof ValidationResult.Rejected rejected) {
                log.atDebug().addKeyValue("tableKey", result.key()).log("Rejected a message on {}: {}", mqttTopic, rejected.reason());
            }
            return send(record).thenRun(() -> count(result)).whenComplete((stored, failure) -> {
                if (failure != null) {
                    span.error(failure);
                    failing();
                } else {
                    failingSince = null;
                }
                span.end();
            });
        } catch (RuntimeException | Error notSent) {
            span.error(notSent);
            span.end();
            throw notSent;
        }
    }

    /**
     * A fault of the validator must neither stall the intake (the message would never be acknowledged,
     * and come back on every reconnection) nor lose the message: it goes to the reject topic, saying so.
     */
    private ValidationResult validate(String mqttTopic, byte[] payload, Instant receivedAt) {
        try {
            return validator.validate(mqttTopic, payload, receivedAt);
        } catch (RuntimeException e) {
            log.error("The validator failed on a message on {}; it goes to the reject topic", mqttTopic, e);
            return new ValidationResult.Rejected(DeviceTopic.kafkaKeyOf(mqttTopic), new RejectReason(RejectReason.WHOLE_MESSAGE,
                    RejectReason.Rule.INVALID_VALUE, "the message could not be validated: " + e));
        }
    }

    /**
     * Blocks until the topics exist and the producer holds their metadata, so that later sends never
     * block on it; a Kafka outage after that only delays acknowledgements.
     */
    public void awaitKafka() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                admin.initialize();
                kafka.partitionsFor(Topics.TELEMETRY_READINGS);
                kafka.partitionsFor(Topics.TABLE_STATUS);
                kafka.partitionsFor(Topics.TELEMETRY_REJECTED);
                return;
            } catch (RuntimeException e) {
                log.warn("Kafka is not reachable yet ({}); not taking MQTT traffic until it is", e.getMessage());
            }
        }
    }

    private CompletableFuture<Void> send(ProducerRecord<String, Object> record) {
        long start = System.nanoTime();
        Timer timer = metrics.kafkaSend();
        return handOver(record).thenAccept(sent -> timer.record(Duration.ofNanos(System.nanoTime() - start)));
    }

    /** Whether Kafka stopped storing records, and since when: a failure not yet followed by a stored record. */
    public Instant failingSince() {
        return failingSince;
    }

    private void failing() {
        if (failingSince == null) {
            failingSince = clock.instant();
        }
    }

    /**
     * Hands a record to the producer, retrying for as long as the producer refuses it for a reason that
     * passes (no metadata while Kafka is away), and counting each refusal. Blocking here, on the caller's
     * single thread, keeps the records of one table in order; once handed over, the producer itself
     * retries until Kafka stores it. A refusal that no retry cures (a record that cannot be serialised)
     * fails the returned future at once, so that it is counted and the message redelivered rather than
     * retried here unseen for ever.
     */
    private CompletableFuture<SendResult<String, Object>> handOver(ProducerRecord<String, Object> record) {
        try {
            return handOverRetry.execute(() -> {
                try {
                    CompletableFuture<SendResult<String, Object>> sent = kafka.send(record);
                    if (sent.isCompletedExceptionally()) {
                        sent.join(); // rethrows why the producer refused the record
                    }
                    return sent;
                } catch (RuntimeException refused) {
                    if (passes(refused)) {
                        metrics.handOverRetried();
                        failing();
                    }
                    throw refused;
                }
            });
        } catch (RetryException notHandedOver) {
            return CompletableFuture.failedFuture(notHandedOver.getLastException());
        }
    }

    /** Kafka's own verdict: a retriable error (a timeout, no leader) may pass; anything else will not. */
    private static boolean passes(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof RetriableException) {
                return true;
            }
        }
        return false;
    }

    private static RetryTemplate handOverRetry() {
        RetryTemplate retry = new RetryTemplate(RetryPolicy.builder()
                .predicate(TelemetryForwarder::passes)
                .maxRetries(Long.MAX_VALUE)
                .delay(Duration.ofMillis(100))
                .multiplier(2)
                .maxDelay(Duration.ofSeconds(5))
                .build());
        retry.setRetryListener(new RetryListener() {
            @Override
            public void onRetryFailure(RetryPolicy policy, Retryable<?> retryable, Throwable failure) {
                log.warn("Kafka does not take records ({}); holding MQTT intake and retrying", failure.getMessage());
            }
        });
        return retry;
    }

    private static String topicOf(ValidationResult result) {
        if (result instanceof ValidationResult.Reading) {
            return Topics.TELEMETRY_READINGS;
        }
        if (result instanceof ValidationResult.Status) {
            return Topics.TABLE_STATUS;
        }
        return Topics.TELEMETRY_REJECTED;
    }

    private static Object valueOf(ValidationResult result, String mqttTopic, Instant receivedAt, byte[] payload) {
        if (result instanceof ValidationResult.Reading reading) {
            return reading.reading();
        }
        if (result instanceof ValidationResult.Status status) {
            return status.status();
        }
        ValidationResult.Rejected rejected = (ValidationResult.Rejected) result;
        return RejectedMessage.of(mqttTopic, receivedAt, rejected.reason(), payload);
    }

    private void count(ValidationResult result) {
        if (result instanceof ValidationResult.Reading) {
            metrics.forwardedReading();
        } else if (result instanceof ValidationResult.Status) {
            metrics.forwardedStatus();
        } else {
            metrics.rejected(((ValidationResult.Rejected) result).reason().rule());
        }
    }
}
