package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A record the rules cannot read goes to the dead-letter topic once, and the readings polled with it,
 * before and after, still reach the rules. Before 2026-12-02 the readings before it were committed
 * unseen, and the dead letter itself failed, stalling the partition.
 */
class UnreadableRecordTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant START = Instant.now().minusSeconds(600);

    @Test
    void theReadingsBeforeAndAfterAnUnreadableRecordInOneBatchAreAllDecidedOn() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String fleet = "clinic-" + UUID.randomUUID().toString().substring(0, 8);
        RunningSafety.createTelemetryTopics(kafka);
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            // Given a table's over-angle episode, a foreign record, then the table back within its limit, all waiting in Kafka for one poll
            String key = fleet + "/t-1";
            for (int second = 0; second < 20; second++) {
                send(producer, key, reading(fleet, second, Math.min(66, second * 6.0)));
            }
            send(producer, key, "{not a reading");
            for (int second = 20; second < 25; second++) {
                send(producer, key, reading(fleet, second, 30));
            }

            // When the rules read them
            RunningService safety = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            try {
                // Then the readings after the foreign record were read, and those before it raised their alert
                await().atMost(Duration.ofSeconds(30)).until(() -> safety.get("/api/fleet/" + fleet + "/tables").contains("\"sessionElapsedS\":24.0"));
                String alerts = safety.get("/api/alerts?fleetId=" + fleet + "&tableId=t-1&type=OVER_ANGLE");
                assertThat(alerts.split("\"type\":\"OVER_ANGLE\"", -1)).as(alerts).hasSize(2);

                // And the foreign record is in the dead-letter topic, as it came
                List<ConsumerRecord<String, String>> deadLetters = TopicReader.read(kafka, Topics.deadLettersOf(Topics.TELEMETRY_READINGS),
                        record -> key.equals(record.key()), read -> read.size() > 1, Duration.ofSeconds(10));
                assertThat(deadLetters).extracting(ConsumerRecord::value).containsExactly("{not a reading");
            } finally {
                safety.close();
            }
        }
    }

    private static String reading(String fleet, int second, double angle) {
        return JSON.writeValueAsString(new TelemetryReading(fleet, "t-1", second + 1, START.plusSeconds(second), "s-1", angle, second, true));
    }

    private static void send(KafkaProducer<String, String> producer, String key, String value) {
        try {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, key, value)).get();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not take a record of " + key, e);
        }
    }
}
