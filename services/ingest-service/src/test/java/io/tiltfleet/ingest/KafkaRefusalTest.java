package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * Kafka refuses a record for good, or the producer cannot serialise it: the failure is counted, the
 * intake drops its MQTT connection unacknowledged, and the broker redelivers the message, in order,
 * until Kafka stores it.
 */
class KafkaRefusalTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String REDELIVERIES = "tiltfleet_ingest_forward_failures_total{application=\"ingest-service\",handling=\"redelivered\"}";

    @Test
    void aReadingKafkaRefusesIsRedeliveredAndStoredAheadOfTheTablesLaterReadingsOnceKafkaTakesItAgain() throws Exception {
        String fleet = "refusal-" + UUID.randomUUID().toString().substring(0, 8);
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(SharedBrokers.scratchDirectory("kafka-refusal"));
             RunningIngest ingest = RunningIngest.startAlone(mqtt.uri(), kafka.bootstrapServers(), "refusal-test");
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
             TablePublisher table = TablePublisher.connect(mqtt.uri(), fleet, "table-1")) {

            // Given Kafka refusing every record of the readings topic as too large, a refusal no retry of the producer cures
            maxMessageBytes(admin, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, "16"), AlterConfigOp.OpType.SET));

            // When the table sends a reading
            table.publish(reading(fleet, 1)).join();

            // Then the failure is counted, again on each redelivery, and the ingest is not ready
            await().atMost(Duration.ofSeconds(30)).until(() -> counter(ingest, REDELIVERIES) >= 2);
            assertThat(ingest.readiness()).isEqualTo("DOWN");

            // And when the table sends two more readings and Kafka takes records again
            table.publish(reading(fleet, 2)).join();
            table.publish(reading(fleet, 3)).join();
            maxMessageBytes(admin, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""), AlterConfigOp.OpType.DELETE));

            // Then the refused reading is stored, and the last delivery of each reading is in the table's order
            List<ConsumerRecord<String, String>> stored = TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS,
                    record -> record.value().contains("\"fleetId\":\"" + fleet + "\""), read -> seqs(read).size() >= 3, Duration.ofSeconds(60));
            assertThat(lastDeliveries(stored)).containsExactly(1L, 2L, 3L);
            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(ingest.readiness()));
        }
    }

    @Test
    void aReadingTheProducerCannotSerialiseIsCountedAndLeftAtTheBrokerForAnIngestThatCan() {
        String fleet = "serialisation-" + UUID.randomUUID().toString().substring(0, 8);
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"))) {
            // Given an ingest whose producer cannot serialise a reading (a string serialiser for record values)
            try (RunningIngest broken = RunningIngest.startAlone(mqtt.uri(), kafka, "serialisation-test",
                    "--spring.kafka.producer.value-serializer=org.apache.kafka.common.serialization.StringSerializer");
                 TablePublisher table = TablePublisher.connect(mqtt.uri(), fleet, "table-1")) {

                // When a table sends a reading
                table.publish(reading(fleet, 1)).join();

                // Then every attempt fails at once and is counted, instead of being retried unseen, and Kafka's health says so
                await().atMost(Duration.ofSeconds(30)).until(() -> counter(broken, REDELIVERIES) >= 2);
                assertThat(broken.get("/actuator/health/kafka")).contains("\"status\":\"DOWN\"").contains("failingSince");
            }

            // And an ingest that can serialise it, on the same session, stores it: it stayed at the broker
            try (RunningIngest fixed = RunningIngest.startAlone(mqtt.uri(), kafka, "serialisation-test")) {
                List<ConsumerRecord<String, String>> stored = TopicReader.read(kafka, Topics.TELEMETRY_READINGS,
                        record -> record.value().contains("\"fleetId\":\"" + fleet + "\""), read -> !read.isEmpty(), Duration.ofSeconds(30));
                assertThat(seqs(stored)).containsExactly(1L);
            }
        }
    }

    private static void maxMessageBytes(Admin admin, AlterConfigOp change) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.TELEMETRY_READINGS);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(change))).all().get();
    }

    /** The readings' seqs in the order of their last copy: a redelivery may store a reading again. */
    private static List<Long> lastDeliveries(List<ConsumerRecord<String, String>> records) {
        List<Long> seqs = seqsInOrder(records);
        List<Long> last = new ArrayList<>();
        for (int i = seqs.size() - 1; i >= 0; i--) {
            if (!last.contains(seqs.get(i))) {
                last.add(0, seqs.get(i));
            }
        }
        return last;
    }

    private static Set<Long> seqs(List<ConsumerRecord<String, String>> records) {
        return new LinkedHashSet<>(seqsInOrder(records));
    }

    private static List<Long> seqsInOrder(List<ConsumerRecord<String, String>> records) {
        return records.stream().sorted((a, b) -> Long.compare(a.offset(), b.offset()))
                .map(record -> JSON.readValue(record.value(), TelemetryReading.class).seq()).toList();
    }

    private static double counter(RunningIngest ingest, String series) {
        return IngestPipelineTest.counter(ingest.get("/actuator/prometheus"), series);
    }

    private static TelemetryReading reading(String fleet, long seq) {
        return new TelemetryReading(fleet, "table-1", seq, Instant.now(), "s-1", 30, seq, true);
    }
}
