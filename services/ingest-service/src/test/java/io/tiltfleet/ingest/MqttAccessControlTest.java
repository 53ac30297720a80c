package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.junit.jupiter.api.Test;

/**
 * The broker as docker-compose runs it ({@code infra/mosquitto}: no anonymous clients, the dynamic-security plugin's
 * seed accounts, an account per table as the safety service issues it, client ids bound to accounts): the ingest signs
 * in and forwards a table's own messages; a table can neither publish as another table or under another fleet, nor
 * take over the ingest's or another table's session by using its client id.
 */
class MqttAccessControlTest {

    static final Path DEPLOYED_CONFIG = Path.of("../../infra/mosquitto").toAbsolutePath().normalize();
    static final String ADMIN_PASSWORD = "demo-broker-admin-password";
    static final String TABLE_PASSWORD = "a-table-password";
    static final String INGEST = "tiltfleet-ingest-1";
    static final String[] INGEST_SIGN_IN = {"--tiltfleet.ingest.mqtt.username=" + INGEST, "--tiltfleet.ingest.mqtt.password=demo-ingest-password"};
    static final String DYNAMIC_SECURITY = "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so";
    // accounts of fleet-2: the simulator test reads fleet-1's records back from the shared Kafka

    @Test
    void eachTablePublishesOnlyUnderItsOwnTopicsAndOnlyWithItsPassword() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String session = "acl-" + UUID.randomUUID();
        try (MosquittoBroker mqtt = deployedWithTables("mosquitto-acl", "table-050", "table-049", "table-002");
             RunningIngest ingest = RunningIngest.start(mqtt.uri(), kafka, INGEST, INGEST_SIGN_IN);
             TablePublisher table = TablePublisher.connectAll(mqtt.uri(), "fleet-2", List.of("table-050"), TABLE_PASSWORD).get(0)) {

            // A table's own reading is taken and forwarded
            table.publish(reading("fleet-2", "table-050", 1, session)).join();

            // Its messages on another table's topic, or under another fleet, are refused by the broker
            for (String foreign : List.of(Topics.mqttTelemetryTopic("fleet-2", "table-049"), Topics.mqttTelemetryTopic("fleet-1", "table-050"),
                    Topics.mqttStatusTopic("fleet-2", "table-049"))) {
                assertThatThrownBy(() -> table.publish(foreign, DevicePayloads.telemetry(reading("fleet-x", "table-x", 1, session))).join())
                        .isInstanceOf(CompletionException.class).hasMessageContaining("reason code 135");
            }

            // A wrong password, another table's account, or no account at all cannot connect
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "fleet-2", List.of("table-002"), "not-its-password"))
                    .hasMessageContaining("cannot connect");
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "fleet-9", List.of("table-001"), TABLE_PASSWORD))
                    .hasMessageContaining("cannot connect");
            assertThatThrownBy(() -> TablePublisher.connect(mqtt.uri(), "fleet-1", "table-003")).hasMessageContaining("cannot connect");

            // Exactly the one reading of its own reached Kafka, keyed by its fleet and table
            List<ConsumerRecord<String, String>> stored = TopicReader.read(kafka, Topics.TELEMETRY_READINGS,
                    r -> r.value().contains(session), found -> found.size() > 1, Duration.ofSeconds(5));
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).key()).isEqualTo("fleet-2/table-050");
            assertThat(stored.get(0).value()).contains("\"fleetId\":\"fleet-2\"");
            assertThat(ingest.metrics().inFlight()).isZero();
        }
    }

    @Test
    void aTableAccountUsingTheIngestsClientIdNeitherTakesOverNorDiscardsTheIngestsSession() throws MqttException {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String session = "takeover-" + UUID.randomUUID();
        try (MosquittoBroker mqtt = deployedWithTables("mosquitto-takeover", "table-048", "table-047")) {
            // Given the ingest's persistent session, holding 20 readings the broker acknowledged while the ingest was away
            RunningIngest.startAlone(mqtt.uri(), kafka, INGEST, INGEST_SIGN_IN).close();
            try (TablePublisher table = TablePublisher.connectAll(mqtt.uri(), "fleet-2", List.of("table-048"), TABLE_PASSWORD).get(0)) {
                IntStream.rangeClosed(1, 20).mapToObj(seq -> table.publish(reading("fleet-2", "table-048", seq, session)))
                        .toList().forEach(CompletableFuture::join);
            }

            // When another table's account connects with the ingest's client id, on a clean start
            connectAndLeave(mqtt.uri(), INGEST, "fleet-2/table-047");

            // Then the ingest, back on its own session, still receives all 20
            try (RunningIngest ingest = RunningIngest.startAlone(mqtt.uri(), kafka, INGEST, INGEST_SIGN_IN)) {
                List<ConsumerRecord<String, String>> stored = TopicReader.read(kafka, Topics.TELEMETRY_READINGS,
                        r -> r.value().contains(session), found -> found.size() >= 20, Duration.ofSeconds(30));
                assertThat(stored).as("readings the broker kept for the ingest's session").hasSize(20);
            }
        }
    }

    @Test
    void aTableAccountUsingAnotherTablesClientIdDoesNotFireThatTablesLastWill() throws MqttException {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String session = "last-will-" + UUID.randomUUID();
        try (MosquittoBroker mqtt = deployedWithTables("mosquitto-will", "table-046", "table-045");
             RunningIngest ingest = RunningIngest.startAlone(mqtt.uri(), kafka, INGEST, INGEST_SIGN_IN);
             TablePublisher victim = TablePublisher.connectAll(mqtt.uri(), "fleet-2", List.of("table-046"), TABLE_PASSWORD).get(0)) {

            // When another table's account connects with the client ids the table has: as its firmware names itself, and its account
            for (String victimsId : List.of("table-fleet-2-table-046", "fleet-2/table-046")) {
                connectAndLeave(mqtt.uri(), victimsId, "fleet-2/table-045");
            }

            // Then no offline status (the table's Last Will) was published for it
            List<ConsumerRecord<String, String>> statuses = TopicReader.read(kafka, Topics.TABLE_STATUS,
                    r -> r.value().contains("\"fleetId\":\"fleet-2\",\"tableId\":\"table-046\""), found -> !found.isEmpty(), Duration.ofSeconds(5));
            assertThat(statuses).extracting(ConsumerRecord::value).as("statuses of fleet-2/table-046").isEmpty();

            // And it is still connected: its next reading goes through
            victim.publish(reading("fleet-2", "table-046", 1, session)).join();
            assertThat(TopicReader.read(kafka, Topics.TELEMETRY_READINGS, r -> r.value().contains(session), found -> !found.isEmpty(),
                    Duration.ofSeconds(30))).hasSize(1);
        }
    }

    @Test
    void aSubscriptionTheBrokerRefusesTurnsTheIngestDownAndSaysWhy() throws IOException {
        // Given a broker whose ACL lets nobody subscribe (Mosquitto's acl_file never refuses a subscription; its dynamic security does)
        Path config = SharedBrokers.scratchDirectory("mosquitto-refusing");
        Files.writeString(config.resolve("mosquitto.conf"), """
                listener 1883
                allow_anonymous true
                plugin %s
                plugin_opt_config_file /mosquitto/config/dynamic-security.json
                """.formatted(DYNAMIC_SECURITY));
        Files.writeString(config.resolve("dynamic-security.json"), """
                {"defaultACLAccess": {"publishClientSend": true, "publishClientReceive": true, "subscribe": false, "unsubscribe": true},
                 "clients": [], "roles": [], "groups": [{"groupname": "anonymous", "roles": []}], "anonymousGroup": "anonymous"}
                """);

        // When the ingest connects and subscribes
        try (MosquittoBroker mqtt = MosquittoBroker.startDeployed(config.resolve("data"), config);
             RunningIngest ingest = RunningIngest.startAloneUnchecked(mqtt.uri(), SharedBrokers.kafka().bootstrapServers(), "refused-test")) {

            // Then its health is DOWN, saying which subscription the broker refused, and so is its readiness
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ingest.get("/actuator/health/mqtt"))
                    .contains("\"status\":\"DOWN\"")
                    .contains("the broker refused the subscription to fleets/+/tables/+/telemetry (reason code 0x87)"));
            assertThat(ingest.readiness()).isEqualTo("DOWN");
        }
    }

    /** The deployed broker, with accounts of these tables of fleet-2 as the safety service issues them (as its administrator would). */
    private static MosquittoBroker deployedWithTables(String name, String... tables) {
        MosquittoBroker mqtt = MosquittoBroker.startDeployed(SharedBrokers.scratchDirectory(name), DEPLOYED_CONFIG).administeredWith(ADMIN_PASSWORD);
        for (String table : tables) {
            mqtt.addTableAccount("fleet-2", table, TABLE_PASSWORD);
        }
        return mqtt;
    }

    /** Connects with a table's account under the given client id, on a clean start, and disconnects. */
    private static void connectAndLeave(String brokerUri, String clientId, String account) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(brokerUri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(account);
        options.setPassword(TABLE_PASSWORD.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        client.connect(options).waitForCompletion(10_000);
        client.disconnect().waitForCompletion(5_000);
        client.close();
    }

    private static TelemetryReading reading(String fleetId, String tableId, long seq, String session) {
        return new TelemetryReading(fleetId, tableId, seq, Instant.now(), session, 30, 12, true);
    }
}
