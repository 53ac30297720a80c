package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * A fleet's table registry through the API: entries are made, listed with filters and pages, removed and audited;
 * what a table reports of itself shows beside them; and every alert of a registered table says where it stands,
 * in the store and on Kafka.
 */
class TableRegistryTest {

    static MongoStandIn mongo;
    static RunningService safety;

    @BeforeAll
    static void start() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        RunningSafety.createTelemetryTopics(kafka);
        mongo = MongoStandIn.start(Ports.free());
        safety = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
    }

    @AfterAll
    static void stop() {
        safety.close();
        mongo.close();
    }

    @Test
    void tablesAreRegisteredListedWithFiltersAndPagesAndRemovedAllAudited() throws Exception {
        String fleet = "registry-list";
        for (int table = 1; table <= 5; table++) {
            String room = table <= 3 ? "Room 3" : "Room 4";
            assertThat(send("PUT", "/api/fleet/" + fleet + "/tables/t-" + table, "{\"name\":\"Bed " + table + "\",\"site\":\"Berlin-Mitte\","
                    + "\"room\":\"" + room + "\",\"model\":\"TF-900\",\"serialNumber\":\"SN-" + table + "\",\"reason\":\"new site\"}").statusCode())
                    .isEqualTo(200);
        }

        JsonNode one = json(send("GET", "/api/fleet/" + fleet + "/tables/t-2", null));
        assertThat(one.get("registration").get("name").asText()).isEqualTo("Bed 2");
        assertThat(one.get("registration").get("serialNumber").asText()).isEqualTo("SN-2");
        assertThat(one.get("live").isNull()).isTrue();
        JsonNode room3 = json(send("GET", "/api/fleet/" + fleet + "/tables?room=room%203", null));
        assertThat(room3).hasSize(3).allSatisfy(table -> {
            assertThat(table.get("registered").asBoolean()).isTrue();
            assertThat(table.get("online").asBoolean()).isFalse();
        });
        assertThat(json(send("GET", "/api/fleet/" + fleet + "/tables?site=Berlin-Mitte&page=1&size=2", null)))
                .extracting(table -> table.get("tableId").asText()).containsExactly("t-3", "t-4");

        assertThat(send("DELETE", "/api/fleet/" + fleet + "/tables/t-5?reason=sold", null).statusCode()).isEqualTo(200);
        RunningSafety.assertProblem(send("GET", "/api/fleet/" + fleet + "/tables/t-5", null), 404, "neither registered nor ever reported");
        RunningSafety.assertProblem(send("DELETE", "/api/fleet/" + fleet + "/tables/t-5", null), 404, "neither registered nor ever reported");
        assertThat(json(send("GET", "/api/fleet/" + fleet + "/tables", null))).hasSize(4);

        JsonNode trail = json(send("GET", "/api/fleets/" + fleet + "/audit?what=registry", null));
        assertThat(trail).hasSize(6);
        assertThat(trail.get(0).get("reason").asText()).isEqualTo("sold");
        assertThat(trail.get(0).get("after").get("removedAt").isNull()).isFalse();
        assertThat(trail.get(1).get("after").get("room").asText()).isEqualTo("Room 4");
    }

    @Test
    void everyAlertOfARegisteredTableSaysWhereItStandsAndWhatItReportsOfItselfIsShown() throws Exception {
        String fleet = "registry-alerts";
        String kafka = SharedBrokers.kafka().bootstrapServers();
        assertThat(send("PUT", "/api/fleet/" + fleet + "/tables/t-7", "{\"name\":\"Bed 7\",\"site\":\"Berlin-Mitte\",\"room\":\"Room 3\"}")
                .statusCode()).isEqualTo(200);
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
             KafkaConsumer<String, String> events = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ConsumerConfig.GROUP_ID_CONFIG, "registry-" + UUID.randomUUID(), ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
                     new StringDeserializer(), new StringDeserializer())) {
            String key = new TableRef(fleet, "t-7").key();
            producer.send(new ProducerRecord<>(Topics.TABLE_STATUS, key, SafetyRestartTest.JSON.writeValueAsString(
                    new TableStatus(fleet, "t-7", TableStatus.State.ONLINE, Instant.now(), "2.4.1", "TF-900 Pro")))).get();
            Instant start = Instant.now();
            for (int second = 0; second < 6; second++) {   // 75 degrees for 5 s: over the limit of 60
                TelemetryReading reading = new TelemetryReading(fleet, "t-7", second + 1, start.plusSeconds(second), "s-1", 75, second, true);
                producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, key, SafetyRestartTest.JSON.writeValueAsString(reading))).get();
            }

            await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", "/api/alerts?fleetId=" + fleet, null).body().contains("OVER_ANGLE"));
            assertThat(json(send("GET", "/api/alerts?fleetId=" + fleet, null)).get(0).get("location").asText())
                    .isEqualTo("Berlin-Mitte, Room 3, Bed 7");
            events.subscribe(List.of(Topics.SAFETY_ALERTS));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, String> event : events.poll(Duration.ofMillis(200))) {
                    if (key.equals(event.key())) {
                        return SafetyRestartTest.JSON.readTree(event.value()).get("location").asText().equals("Berlin-Mitte, Room 3, Bed 7");
                    }
                }
                return false;
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> send("GET", "/api/fleet/" + fleet + "/tables/t-7", null).body().contains("2.4.1"));
            JsonNode table = json(send("GET", "/api/fleet/" + fleet + "/tables/t-7", null));
            assertThat(table.get("firmware").asText()).isEqualTo("2.4.1");
            assertThat(table.get("reportedModel").asText()).isEqualTo("TF-900 Pro");
            assertThat(table.get("live").get("activeAlerts").toString()).contains("OVER_ANGLE");
            assertThat(json(send("GET", "/api/fleet/" + fleet + "/tables", null)).get(0).get("name").asText()).isEqualTo("Bed 7");
        }
    }

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // method | path | body | status | part of the problem body
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"nmae\":\"Bed 1\"}                       | 400 | is no field of a table",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"name\":\"LONG\"}                        | 400 | name",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"site\":\"Berlin\\u0007\"}               | 400 | site",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"room\":{\"floor\":3}}                  | 400 | room",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"notes\":\"a\\u0000b\"}                  | 400 | notes",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"serialNumber\":[\"SN\"]}                 | 400 | serialNumber",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {not json                                  | 400 | ",
            "PUT | /api/fleet/registry-bad/tables/t%201 | {\"name\":\"Bed 1\"}                      | 400 | tableId",
            "PUT | /api/fleet/registry-bad/tables/t-1 | {\"name\":\"Bed 1\",\"reason\":\"LONG_REASON\"} | 400 | reason",
            "GET | /api/fleet/registry-bad/tables?size=0                |                      | 400 | size",
            "GET | /api/fleet/registry-bad/tables?size=1001             |                      | 400 | size",
            "GET | /api/fleet/registry-bad/tables?page=-1               |                      | 400 | page",
            "GET | /api/fleet/registry-bad/tables?registered=maybe      |                      | 400 | registered",
            "GET | /api/fleet/registry-bad/tables/t-1                   |                      | 404 | neither registered nor ever reported",
            "DELETE | /api/fleet/registry-bad/tables/t-1                |                      | 404 | neither registered nor ever reported"})
    void badRequestsGetAProblemBodyNamingTheFieldAndChangeNothing(String method, String path, String body, int status, String detail) throws Exception {
        RunningSafety.assertProblem(send(method, path, body == null ? null
                : body.replace("LONG_REASON", "x".repeat(501)).replace("LONG", "x".repeat(101))), status, detail);
        assertThat(send("GET", "/api/fleets/registry-bad/audit", null).body()).isEqualTo("[]");
        assertThat(send("GET", "/api/fleet/registry-bad/tables", null).body()).isEqualTo("[]");
    }

    private static JsonNode json(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return SafetyRestartTest.JSON.readTree(response.body());
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return RunningSafety.send(safety, method, path, body, Map.of());
    }
}
