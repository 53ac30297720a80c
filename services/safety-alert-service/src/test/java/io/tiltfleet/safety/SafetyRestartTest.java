package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import org.springframework.kafka.listener.MessageListenerContainer;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;
import tools.jackson.databind.json.JsonMapper;

/** Restarts and several instances: an alert is raised once, kept across a restart, and cleared once. */
class SafetyRestartTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final Instant START = Instant.now().minusSeconds(600);

    @Test
    void restartInTheMiddleOfAnOverAngleEpisodeKeepsExactlyOneAlertWhichClearsWhenTheAngleComesBack() {
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            restartMidEpisode(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"));
        }
    }

    /** The scenario, on whatever Kafka and MongoDB it is given: shared with the Testcontainers variant. */
    static void restartMidEpisode(String kafka, String mongoUri) {
        try (KafkaProducer<String, String> table = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            String alertsOfTable = "/api/alerts?fleetId=clinic-restart&tableId=t-1";
            RunningSafety.createTelemetryTopics(kafka);

            // Given an over-angle alert raised by a first instance
            RunningService first = RunningSafety.start(kafka, mongoUri);
            for (int second = 0; second < 20; second++) {
                send(table, second, Math.min(66, second * 6.0));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> first.get(alertsOfTable).contains("ACTIVE_UNACKNOWLEDGED"));

            // When the service stops while the table stays above its limit, and a new instance takes over
            first.close();
            for (int second = 20; second < 30; second++) {
                send(table, second, 66);
            }
            RunningService second = RunningSafety.start(kafka, mongoUri);
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> second.get("/api/fleet/clinic-restart/tables")
                        .contains("\"sessionElapsedS\":29.0"));

                // Then there is still exactly one alert, still active
                assertThat(countAlerts(second.get(alertsOfTable))).isEqualTo(1);
                assertThat(second.get(alertsOfTable)).contains("ACTIVE_UNACKNOWLEDGED");

                // And it clears, once, when the angle comes back below the hysteresis band
                for (int s = 30; s < 40; s++) {
                    send(table, s, Math.max(40, 66 - (s - 29) * 5.0));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> second.get(alertsOfTable).contains("CLEARED_UNACKNOWLEDGED"));
                assertThat(countAlerts(second.get(alertsOfTable))).isEqualTo(1);
            } finally {
                second.close();
            }
        }
    }

    private static void send(KafkaProducer<String, String> producer, int second, double angle) {
        send(producer, "clinic-restart", "t-1", second, angle);
    }

    private static long countAlerts(String json) {
        return json.split("\"type\":\"", -1).length - 1;
    }

    @Test
    void twoInstancesSplitTheTablesAndRaiseEachAlertOnce() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        RunningSafety.createTelemetryTopics(kafka);
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             KafkaProducer<String, String> tables = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
             RunningService one = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
             RunningService two = RunningSafety.start(kafka, mongo.uri("tiltfleet"))) {

            // Given two instances in one consumer group, and a dashboard on the first one's stream
            List<ServerSentEvent<String>> dashboard = new CopyOnWriteArrayList<>();
            Disposable stream = WebClient.create("http://127.0.0.1:" + one.port())
                    .get().uri("/api/fleet/clinic-pair/stream").retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                    .subscribe(dashboard::add);
            await().atMost(Duration.ofSeconds(30)).until(() -> assigned(one, "live-feed") && assigned(two, "live-feed")
                    && assigned(one, "safety-rules") && assigned(two, "safety-rules"));

            // When 8 tables each go over their limit
            for (int second = 0; second < 12; second++) {
                for (int table = 0; table < 8; table++) {
                    send(tables, "clinic-pair", "t-" + table, second, Math.min(70, second * 7.0));
                }
            }

            // Then each table has exactly one alert, whichever instance decided it
            await().atMost(Duration.ofSeconds(60)).until(() -> countAlerts(one.get("/api/alerts?fleetId=clinic-pair")) >= 8);
            String all = two.get("/api/alerts?fleetId=clinic-pair");
            assertThat(countAlerts(all)).isEqualTo(8);
            for (int table = 0; table < 8; table++) {
                assertThat(all.split("\"tableId\":\"t-" + table + "\",\"type\"", -1)).as("alerts of t-%d", table).hasSize(2);
            }

            // And the dashboard on the first instance sees every table and every alert, those the second instance decided too
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int table = 0; table < 8; table++) {
                    String tableId = "\"tableId\":\"t-" + table + "\"";
                    assertThat(dashboard).as("t-%d on the stream", table)
                            .anyMatch(e -> "table".equals(e.event()) && e.data().contains(tableId))
                            .anyMatch(e -> "alert".equals(e.event()) && e.data().contains(tableId) && e.data().contains("\"change\":\"RAISED\""));
                }
            });
            assertThat(dashboard.stream().filter(e -> "alert".equals(e.event()) && e.data().contains("\"change\":\"RAISED\""))).hasSize(8);
            stream.dispose();
        }
    }

    /** The relay reads from the newest records on: the test publishes only once both instances read. */
    /** Whether the instance's listener has its partitions: the rules' group shares them out only once both instances joined. */
    private static boolean assigned(RunningService safety, String listener) {
        MessageListenerContainer container = safety.bean(KafkaListenerEndpointRegistry.class).getListenerContainer(listener);
        return container != null && container.getAssignedPartitions() != null && !container.getAssignedPartitions().isEmpty();
    }

    private static void send(KafkaProducer<String, String> producer, String fleet, String table, int second, double angle) {
        TelemetryReading reading = new TelemetryReading(fleet, table, second + 1, START.plusSeconds(second), "s-1", angle, second, true);
        try {
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, table, JSON.writeValueAsString(reading))).get();
        } catch (Exception e) {
            throw new IllegalStateException("Kafka did not take reading " + second + " of " + table, e);
        }
    }
}
