package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.simulator.TablePublisher;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A table's broker credentials through the API, against a real Mosquitto with its dynamic-security plugin: a table
 * given credentials connects and publishes its own messages only; a rotated password is refused; a revoked table is
 * dropped within a second and cannot come back; a table without credentials, or with another's client id, gets
 * nowhere; every change is audited twice (asked for, then done), never with the password; with the broker gone, an
 * attempt is answered unavailable and audited as failed.
 */
class TableCredentialsTest {

    private static final String ADMIN_PASSWORD = "test-broker-admin";

    @Test
    void credentialsAreIssuedRotatedAndRevokedOnTheBrokerAtOnce() throws Exception {
        try (MosquittoBroker mqtt = MosquittoBroker.startWithDynamicSecurity(SharedBrokers.scratchDirectory("mosquitto-dynsec"), Ports.free(),
                ADMIN_PASSWORD);
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             RunningService safety = RunningSafety.start(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"),
                     "--tiltfleet.safety.broker.uri=" + mqtt.uri(), "--tiltfleet.safety.broker.admin-password=" + ADMIN_PASSWORD,
                     "--tiltfleet.safety.broker.timeout=2s")) {
            // Given credentials issued to t-1
            HttpResponse<String> issued = send(safety, "POST", "/api/fleet/cred/tables/t-1/credentials", "{\"reason\":\"new table\"}");
            assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
            assertThat(issued.headers().firstValue("Cache-Control")).hasValueSatisfying(value -> assertThat(value).contains("no-store"));
            JsonNode first = SafetyRestartTest.JSON.readTree(issued.body());
            assertThat(first.get("username").asText()).isEqualTo("cred/t-1");
            String password = first.get("password").asText();
            assertThat(password).hasSizeGreaterThanOrEqualTo(32);

            // Then the table connects and publishes its own messages, and nothing under another table's topics
            try (TablePublisher table = TablePublisher.connectAll(mqtt.uri(), "cred", List.of("t-1"), password).get(0)) {
                table.publish(reading("t-1")).join();
                for (String foreign : List.of(Topics.mqttTelemetryTopic("cred", "t-2"), Topics.mqttStatusTopic("other", "t-1"))) {
                    assertThatThrownBy(() -> table.publish(foreign, DevicePayloads.telemetry(reading("t-2"))).join())
                            .isInstanceOf(CompletionException.class).hasMessageContaining("reason code 135");
                }
            }
            // and a table without credentials, or with a wrong password, cannot connect
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "cred", List.of("t-9"), "guessed")).hasMessageContaining("cannot connect");
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "cred", List.of("t-1"), "guessed")).hasMessageContaining("cannot connect");

            // When t-1's password is rotated, the old one is refused and the new one works
            Connection holder = Connection.open(mqtt.uri(), "cred/t-1", password);
            HttpResponse<String> rotated = send(safety, "POST", "/api/fleet/cred/tables/t-1/credentials", null);
            assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
            String newPassword = SafetyRestartTest.JSON.readTree(rotated.body()).get("password").asText();
            assertThat(newPassword).isNotEqualTo(password);
            assertThat(holder.awaitDropped(2_000)).as("the connection with the old password is dropped").isTrue();
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "cred", List.of("t-1"), password)).hasMessageContaining("cannot connect");

            // And another table's account using t-1's client id does not take t-1's connection over
            send(safety, "POST", "/api/fleet/cred/tables/t-2/credentials", null);
            Connection current = Connection.open(mqtt.uri(), "cred/t-1", newPassword);
            String otherPassword = SafetyRestartTest.JSON.readTree(send(safety, "POST", "/api/fleet/cred/tables/t-2/credentials", null).body())
                    .get("password").asText();
            Connection impostor = Connection.openAs(mqtt.uri(), "cred/t-1", "cred/t-2", otherPassword);
            assertThat(current.awaitDropped(500)).as("t-1 still connected").isFalse();
            impostor.close();

            // When t-1's credentials are revoked, its connection is dropped within a second, and it cannot connect again
            long revokedAt = System.nanoTime();
            HttpResponse<String> revoked = send(safety, "DELETE", "/api/fleet/cred/tables/t-1/credentials", null);
            assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(200);
            assertThat(current.awaitDropped(1_000)).as("revoked table dropped within a second").isTrue();
            System.out.printf("CREDENTIALS revoked table dropped %d ms after the request was sent%n",
                    TimeUnit.NANOSECONDS.toMillis(current.droppedAt - revokedAt));
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "cred", List.of("t-1"), newPassword)).hasMessageContaining("cannot connect");
            assertThat(send(safety, "GET", "/api/fleet/cred/tables/t-1/credentials", null).body()).contains("\"status\":\"REVOKED\"");
            // and its retained status says offline, as its Last Will would have (the broker drops a revoked client without it)
            assertThat(retainedStatus(mqtt.uri(), "cred", "t-1")).contains("\"state\":\"offline\"");

            // And every change is in the audit trail twice, asked for and done, without a password
            String trail = send(safety, "GET", "/api/fleets/cred/audit?what=credentials&tableId=t-1", null).body();
            JsonNode entries = SafetyRestartTest.JSON.readTree(trail);
            assertThat(entries).hasSize(6);
            assertThat(entries.get(0).get("after").get("status").asText()).isEqualTo("REVOKED");
            assertThat(entries.get(1).get("after").get("status").asText()).isEqualTo("PENDING");
            assertThat(entries.get(5).get("reason").asText()).isEqualTo("new table");
            assertThat(trail).doesNotContain(password).doesNotContain(newPassword);

            // When the broker is gone, issuing is answered unavailable, and the attempt is in the trail, asked for and failed
            mqtt.close();
            HttpResponse<String> refused = send(safety, "POST", "/api/fleet/cred/tables/t-3/credentials", null);
            RunningSafety.assertProblem(refused, 503, "the broker could not be reached");
            assertThat(refused.body()).doesNotContain("\"password\"");
            assertThat(send(safety, "GET", "/api/fleet/cred/tables/t-3/credentials", null).body()).contains("\"status\":\"FAILED\"");
            JsonNode attempt = SafetyRestartTest.JSON.readTree(send(safety, "GET", "/api/fleets/cred/audit?what=credentials&tableId=t-3", null).body());
            assertThat(attempt).extracting(entry -> entry.get("after").get("status").asText()).containsExactly("FAILED", "PENDING");
        }
    }

    /** The table's retained status, as the ingest would read it: signed in as an account that may read the table's topics. */
    private static String retainedStatus(String broker, String fleetId, String tableId) throws Exception {
        CompletableFuture<String> status = new CompletableFuture<>();
        Connection reader = Connection.open(broker, MosquittoBroker.ADMIN, ADMIN_PASSWORD);
        reader.client.setCallback(new Connection(reader.client) {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                status.complete(new String(message.getPayload(), StandardCharsets.UTF_8));
            }
        });
        reader.client.subscribe(Topics.mqttStatusTopic(fleetId, tableId), 1).waitForCompletion(5_000);
        try {
            return status.get(5, TimeUnit.SECONDS);
        } finally {
            reader.close();
        }
    }

    private static TelemetryReading reading(String tableId) {
        return new TelemetryReading("cred", tableId, 1, Instant.now(), "s-1", 30, 10, true);
    }

    private static HttpResponse<String> send(RunningService safety, String method, String path, String body) throws Exception {
        return RunningSafety.send(safety, method, path, body, Map.of());
    }

    /** A table's connection held open, noting when the broker drops it. */
    private static class Connection implements MqttCallback, AutoCloseable {
        private final MqttAsyncClient client;
        private final CompletableFuture<Void> dropped = new CompletableFuture<>();
        private volatile long droppedAt;

        Connection(MqttAsyncClient client) {
            this.client = client;
        }

        static Connection open(String broker, String account, String password) throws MqttException {
            return openAs(broker, account, account, password);
        }

        static Connection openAs(String broker, String clientId, String account, String password) throws MqttException {
            Connection connection = new Connection(new MqttAsyncClient(broker, clientId, new MemoryPersistence()));
            connection.client.setCallback(connection);
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setUserName(account);
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
            options.setCleanStart(true);
            connection.client.connect(options).waitForCompletion(10_000);
            return connection;
        }

        boolean awaitDropped(long millis) {
            try {
                dropped.get(millis, TimeUnit.MILLISECONDS);
                return true;
            } catch (Exception notYet) {
                return false;
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            droppedAt = System.nanoTime();
            dropped.complete(null);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }

        @Override
        public void close() throws MqttException {
            client.disconnectForcibly(0, 1000, false);
            client.close();
        }
    }
}
