package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.DeviceMessageValidator;
import io.tiltfleet.contract.RejectReason.Rule;
import io.tiltfleet.contract.RejectedMessage;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Bad input is stored with its reason in the reject topic, and valid traffic keeps flowing meanwhile. */
class RejectedInputTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String TS = "2026-11-25T10:15:30.250Z";
    /** A valid reading; {@link #bad} dates it now (the ingest refuses a clock a day off) once the field at fault is changed. */
    static final String VALID = """
            {"schema":1,"seq":42,"ts":"2026-11-25T10:15:30.250Z","sessionId":"s-7f3a","angleDeg":47.5,"elapsedS":95.0,"locked":true}""";

    static MosquittoBroker mqtt;
    static KafkaBroker kafka;
    static RunningIngest ingest;

    record BadInput(String name, String table, byte[] payload, String field, Rule rule) {
    }

    @BeforeAll
    static void startPipeline() {
        mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
        kafka = SharedBrokers.kafka();
        ingest = RunningIngest.start(mqtt.uri(), kafka.bootstrapServers(), "reject-test");
    }

    @AfterAll
    static void stopPipeline() {
        ingest.close();
        mqtt.close();
    }

    static List<BadInput> badInputs() {
        return List.of(
                bad("truncated JSON", VALID.substring(0, 40), "$", Rule.MALFORMED_JSON),
                bad("NaN angle", VALID.replace("47.5", "NaN"), "$", Rule.MALFORMED_JSON),
                bad("angle 500", VALID.replace("47.5", "500"), "angleDeg", Rule.OUT_OF_RANGE),
                bad("negative elapsed", VALID.replace("95.0", "-1"), "elapsedS", Rule.OUT_OF_RANGE),
                bad("missing seq", VALID.replace("\"seq\":42,", ""), "seq", Rule.MISSING_FIELD),
                bad("fractional seq", VALID.replace("42", "4.2"), "seq", Rule.WRONG_TYPE),
                bad("angle as string", VALID.replace("47.5", "\"47.5\""), "angleDeg", Rule.WRONG_TYPE),
                new BadInput("1 MiB payload", "bad-huge", new byte[1024 * 1024], "$", Rule.PAYLOAD_TOO_LARGE),
                new BadInput("non-UTF-8", "bad-latin1", VALID.replace("s-7f3a", "s-\u00e9t\u00e9").getBytes(StandardCharsets.ISO_8859_1), "$", Rule.NOT_UTF8),
                bad("table id mismatch", VALID.replace("{", "{\"tableId\":\"someone-else\","), "tableId", Rule.ID_MISMATCH),
                bad("unknown schema version", VALID.replace("\"schema\":1", "\"schema\":7"), "schema", Rule.UNSUPPORTED_SCHEMA),
                bad("timestamp not ISO-8601", VALID.replace(TS, "yesterday"), "ts", Rule.INVALID_FORMAT),
                bad("clock never set", VALID.replace(TS, "0001-01-01T00:00:00Z"), "ts", Rule.OUT_OF_RANGE),
                bad("clock two days ahead", VALID.replace(TS, Instant.now().plus(Duration.ofDays(2)).toString()), "ts", Rule.OUT_OF_RANGE),
                bad("JSON array", "[47.5]", "$", Rule.MALFORMED_JSON),
                bad("empty payload", "", "$", Rule.MALFORMED_JSON),
                bad("duplicate key", VALID.replace("{", "{\"angleDeg\":10,"), "$", Rule.MALFORMED_JSON),
                bad("locked as number", VALID.replace("true", "1"), "locked", Rule.WRONG_TYPE),
                bad("angle overflowing a double", VALID.replace("47.5", "1e400"), "angleDeg", Rule.OUT_OF_RANGE));
    }

    @Test
    void everyKindOfBadInputLandsInTheRejectTopicWithItsReasonWhileValidReadingsFlow() {
        // Given one table sending garbage of every kind, each kind under its own table id, and one healthy table
        String fleet = "rejects-" + UUID.randomUUID().toString().substring(0, 8);
        List<BadInput> bad = badInputs();
        int validCount = 300;
        try (TablePublisher sender = TablePublisher.connect(mqtt.uri(), fleet, "sender");
             TablePublisher healthy = TablePublisher.connect(mqtt.uri(), fleet, "healthy")) {

            // When bad and valid messages are published interleaved
            List<CompletableFuture<Void>> acks = IntStream.rangeClosed(1, validCount).mapToObj(seq -> {
                CompletableFuture<Void> valid = healthy.publish(IngestPipelineTest.reading(fleet, "healthy", seq));
                if (seq % 10 == 0 && seq / 10 <= bad.size()) {
                    BadInput input = bad.get(seq / 10 - 1);
                    return CompletableFuture.allOf(valid, sender.publish(Topics.mqttTelemetryTopic(fleet, input.table()), input.payload()));
                }
                return valid;
            }).toList();
            CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).join();
        }

        // Then each bad message is in the reject topic, keyed by its fleet and table, with field, rule, raw bytes and topic
        List<ConsumerRecord<String, String>> rejected = TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_REJECTED,
                record -> record.value().contains("fleets/" + fleet + "/"), read -> read.size() >= bad.size(), Duration.ofSeconds(60));
        Map<String, ConsumerRecord<String, String>> byTable = rejected.stream()
                .collect(Collectors.toMap(ConsumerRecord::key, Function.identity()));
        assertThat(rejected).hasSize(bad.size());
        for (BadInput input : bad) {
            ConsumerRecord<String, String> record = byTable.get(new TableRef(fleet, input.table()).key());
            assertThat(record).as(input.name()).isNotNull();
            RejectedMessage message = JSON.readValue(record.value(), RejectedMessage.class);
            assertThat(message.mqttTopic()).as(input.name()).isEqualTo(Topics.mqttTelemetryTopic(fleet, input.table()));
            assertThat(message.reason().field()).as(input.name()).isEqualTo(input.field());
            assertThat(message.reason().rule()).as(input.name()).isEqualTo(input.rule());
            if (input.rule() == Rule.OUT_OF_RANGE && input.field().equals("ts")) {
                assertThat(message.reason().detail()).as(input.name()).contains("the table's clock is wrong");
            }
            assertThat(message.receivedAt()).as(input.name()).isAfter(Instant.now().minus(Duration.ofMinutes(5)));
            assertThat(message.payloadSize()).as(input.name()).isEqualTo(input.payload().length);
            assertThat(message.payload()).as(input.name()).isEqualTo(
                    Arrays.copyOf(input.payload(), Math.min(input.payload().length, DeviceMessageValidator.MAX_PAYLOAD_BYTES)));
        }

        // And every valid reading went through, in order
        List<ConsumerRecord<String, String>> readings = TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS,
                record -> record.value().contains("\"fleetId\":\"" + fleet + "\""), read -> read.size() >= validCount, Duration.ofSeconds(60));
        assertThat(readings).extracting(record -> JSON.readValue(record.value(), TelemetryReading.class).seq())
                .containsExactlyElementsOf(IntStream.rangeClosed(1, validCount).mapToObj(Long::valueOf).toList());

        // And the rejections are counted by reason
        String prometheus = ingest.get("/actuator/prometheus");
        assertThat(IngestPipelineTest.counter(prometheus,
                "tiltfleet_ingest_messages_rejected_total{application=\"ingest-service\",reason=\"MALFORMED_JSON\"}")).isEqualTo(5);
        assertThat(IngestPipelineTest.counter(prometheus,
                "tiltfleet_ingest_messages_rejected_total{application=\"ingest-service\",reason=\"OUT_OF_RANGE\"}")).isEqualTo(5);
    }

    static BadInput bad(String name, String payload, String field, Rule rule) {
        String table = "bad-" + name.replaceAll("[^A-Za-z0-9]+", "-");
        return new BadInput(name, table, payload.replace(TS, Instant.now().toString()).getBytes(StandardCharsets.UTF_8), field, rule);
    }
}
