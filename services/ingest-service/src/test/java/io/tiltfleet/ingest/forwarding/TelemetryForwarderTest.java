package io.tiltfleet.ingest.forwarding;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.RecordHeaders;
import io.tiltfleet.contract.RejectedMessage;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.ingest.IngestMetrics;
import io.tiltfleet.ingest.IngestProperties;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.serializer.JacksonJsonSerializer;

/**
 * The forwarder against Kafka's {@link MockProducer}, which completes a send only when the test says so:
 * what the intake may acknowledge to the MQTT broker and when, what each record carries, and what
 * happens while Kafka fails or is away.
 */
class TelemetryForwarderTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

    /** Completes no send by itself; serialises as the ingest's producer does, so that a record it could not send fails here too. */
    final MockProducer<String, Object> kafka = new MockProducer<>(false, null, new StringSerializer(), new JacksonJsonSerializer<>());
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final IngestMetrics metrics = new IngestMetrics(meters);
    final TelemetryForwarder forwarder = new TelemetryForwarder(new KafkaTemplate<>(new MockProducerFactory<>(() -> kafka)),
            new KafkaAdmin(Map.of()), metrics, Tracer.NOOP, Propagator.NOOP, Clock.fixed(NOW, ZoneOffset.UTC),
            new IngestProperties(null, null, Duration.ofMinutes(5)));
    final ExecutorService caller = Executors.newSingleThreadExecutor();

    @AfterEach
    void stopCaller() {
        caller.shutdownNow();
    }

    @Test
    void aMessageMayBeAcknowledgedOnlyOnceKafkaHasStoredItsRecord() {
        CompletableFuture<Void> forwarded = forward(reading("clinic-1", "t-1", 1), false);

        assertThat(kafka.history()).hasSize(1);
        assertThat(forwarded).as("handed over, not yet stored").isNotDone();
        assertThat(forwardedReadings()).isZero();

        kafka.completeNext();

        assertThat(forwarded).isCompleted();
        assertThat(forwardedReadings()).isEqualTo(1);
        assertThat(forwarder.failingSince()).isNull();
    }

    /** The intake then leaves the message unacknowledged and reconnects, and the broker redelivers it (MqttIntake). */
    @Test
    void aRecordKafkaDidNotStoreFailsTheMessageSoThatItIsNotAcknowledgedAndSaysSinceWhenKafkaFails() {
        CompletableFuture<Void> failed = forward(reading("clinic-1", "t-1", 1), false);

        kafka.errorNext(new TimeoutException("no acknowledgement from the partition leader"));

        assertThatThrownBy(failed::join).isInstanceOf(CompletionException.class).hasRootCauseInstanceOf(TimeoutException.class);
        assertThat(forwardedReadings()).as("not counted as forwarded").isZero();
        assertThat(forwarder.failingSince()).as("Kafka's health says DOWN from then on").isEqualTo(NOW);
    }

    @Test
    void aReadingIsKeyedByFleetAndTableAndCarriesItsMqttTopicArrivalTimeAndRedelivery() {
        TelemetryReading reading = reading("clinic-1", "t-7", 3);
        forward(reading, true);

        ProducerRecord<String, Object> record = kafka.history().get(0);
        assertThat(record.topic()).isEqualTo(Topics.TELEMETRY_READINGS);
        assertThat(record.key()).isEqualTo("clinic-1/t-7");
        assertThat(record.value()).isEqualTo(reading);
        assertThat(headers(record)).containsEntry(RecordHeaders.MQTT_TOPIC, "fleets/clinic-1/tables/t-7/telemetry")
                .containsEntry(RecordHeaders.RECEIVED_AT, NOW.toString())
                .containsEntry(RecordHeaders.MQTT_REDELIVERED, "true");
    }

    @Test
    void aMalformedMessageGoesToTheRejectTopicUnderItsTableKeyAndIsCountedByRule() {
        CompletableFuture<Void> forwarded = forwarder.forward("fleets/clinic-1/tables/t-1/telemetry",
                "{not json".getBytes(StandardCharsets.UTF_8), false);
        kafka.completeNext();

        ProducerRecord<String, Object> record = kafka.history().get(0);
        assertThat(forwarded).isCompleted();
        assertThat(record.topic()).isEqualTo(Topics.TELEMETRY_REJECTED);
        assertThat(record.key()).isEqualTo("clinic-1/t-1");
        assertThat(record.value()).isInstanceOf(RejectedMessage.class);
        assertThat(forwardedReadings()).isZero();
    }

    /** One key per table, and so one partition: Kafka keeps them in the order the forwarder hands them over. */
    @Test
    void theRecordsOfEachTableAreHandedOverInArrivalOrderUnderTheTablesKey() {
        for (int seq = 1; seq <= 20; seq++) {
            forward(reading("clinic-1", "t-" + seq % 3, seq), false);
        }
        while (kafka.completeNext()) {
            // Kafka stores them all
        }

        Map<String, List<ProducerRecord<String, Object>>> byTable = kafka.history().stream()
                .collect(Collectors.groupingBy(ProducerRecord::key));
        assertThat(byTable).containsOnlyKeys("clinic-1/t-0", "clinic-1/t-1", "clinic-1/t-2");
        byTable.forEach((table, records) -> assertThat(records).extracting(record -> ((TelemetryReading) record.value()).seq())
                .as("seq order of %s", table).isSorted().hasSizeGreaterThanOrEqualTo(6));
    }

    @Test
    void whileKafkaIsAwayTheCallerIsHeldAndTheRecordHandedOverOnceItIsBack() throws Exception {
        refuseRecords(new TimeoutException("no metadata: Kafka is away"));

        CompletableFuture<CompletableFuture<Void>> call = CompletableFuture.supplyAsync(() -> forward(reading("clinic-1", "t-1", 1), false), caller);

        // the single forwarding thread is held, so no later message of any table overtakes this one
        TimeUnit.MILLISECONDS.sleep(500);
        assertThat(call).isNotDone();
        assertThat(meters.get(IngestMetrics.FORWARD_FAILURES).tag("handling", IngestMetrics.RETRIED).counter().count())
                .as("refusals retried").isPositive();
        assertThat(forwarder.failingSince()).isEqualTo(NOW);

        // once Kafka takes records again, the call returns and the record's acknowledgement ends the failing state
        refuseRecords(null);
        CompletableFuture<Void> forwarded = call.get(10, TimeUnit.SECONDS);
        kafka.completeNext();
        assertThat(forwarded).isCompleted();
        assertThat(kafka.history()).hasSize(1);
        assertThat(forwarder.failingSince()).isNull();
    }

    @Test
    void aRecordTheProducerCanNeverTakeFailsAtOnceInsteadOfHoldingTheIntake() {
        refuseRecords(new RecordTooLargeException("larger than max.request.size"));

        CompletableFuture<Void> forwarded = forward(reading("clinic-1", "t-1", 1), false);

        assertThatThrownBy(forwarded::join).hasRootCauseInstanceOf(RecordTooLargeException.class);
        assertThat(kafka.history()).isEmpty();
    }

    private CompletableFuture<Void> forward(TelemetryReading reading, boolean redelivered) {
        return forwarder.forward(Topics.mqttTelemetryTopic(reading.fleetId(), reading.tableId()), DevicePayloads.telemetry(reading), redelivered);
    }

    /** What the producer says to every send from now on; null: it takes them again. MockProducer reads it under its own lock. */
    private void refuseRecords(RuntimeException refusal) {
        synchronized (kafka) {
            kafka.sendException = refusal;
        }
    }

    private static TelemetryReading reading(String fleet, String table, long seq) {
        return new TelemetryReading(fleet, table, seq, NOW.minusSeconds(60 - seq), "s-1", 30, seq, true);
    }

    private double forwardedReadings() {
        return meters.get(IngestMetrics.FORWARDED).tag("kind", "telemetry").counter().count();
    }

    private static Map<String, String> headers(ProducerRecord<String, Object> record) {
        return Arrays.stream(record.headers().toArray())
                .collect(Collectors.toMap(Header::key, header -> new String(header.value(), StandardCharsets.UTF_8)));
    }
}
