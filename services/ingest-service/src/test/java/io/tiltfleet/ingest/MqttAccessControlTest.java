package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * The broker as docker-compose runs it ({@code infra/mosquitto}: no anonymous clients, a password per
 * table, an ACL): the ingest signs in and forwards a table's own messages, and a table cannot publish
 * as another table or under another fleet.
 */
class MqttAccessControlTest {

    static final Path DEPLOYED_CONFIG = Path.of("../../infra/mosquitto").toAbsolutePath().normalize();
    static final String TABLE_PASSWORD = "demo-table-password";
    // demo accounts of fleet-2: the simulator test reads fleet-1's records back from the shared Kafka

    @Test
    void eachTablePublishesOnlyUnderItsOwnTopicsAndOnlyWithItsPassword() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String session = "acl-" + UUID.randomUUID();
        try (MosquittoBroker mqtt = MosquittoBroker.startDeployed(SharedBrokers.scratchDirectory("mosquitto-acl"), DEPLOYED_CONFIG);
             RunningIngest ingest = RunningIngest.start(mqtt.uri(), kafka, "acl-test",
                     "--tiltfleet.ingest.mqtt.username=tiltfleet-ingest", "--tiltfleet.ingest.mqtt.password=demo-ingest-password");
             TablePublisher table = TablePublisher.connectAll(mqtt.uri(), "fleet-2", List.of("table-050"), TABLE_PASSWORD).get(0)) {

            // A table's own reading is taken and forwarded
            table.publish(reading("fleet-2", "table-050", session)).join();

            // Its messages on another table's topic, or under another fleet, are refused by the broker
            for (String foreign : List.of(Topics.mqttTelemetryTopic("fleet-2", "table-049"), Topics.mqttTelemetryTopic("fleet-1", "table-050"),
                    Topics.mqttStatusTopic("fleet-2", "table-049"))) {
                assertThatThrownBy(() -> table.publish(foreign, DevicePayloads.telemetry(reading("fleet-x", "table-x", session))).join())
                        .isInstanceOf(CompletionException.class).hasMessageContaining("reason code 135");
            }

            // A wrong password, another table's account, or no account at all cannot connect
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "fleet-1", List.of("table-002"), "not-its-password"))
                    .hasMessageContaining("cannot connect");
            assertThatThrownBy(() -> TablePublisher.connectAll(mqtt.uri(), "fleet-9", List.of("table-001"), TABLE_PASSWORD))
                    .hasMessageContaining("cannot connect");
            assertThatThrownBy(() -> TablePublisher.connect(mqtt.uri(), "fleet-1", "table-003")).hasMessageContaining("cannot connect");

            // Exactly the one reading of its own reached Kafka
            List<ConsumerRecord<String, String>> stored = TopicReader.read(kafka, Topics.TELEMETRY_READINGS,
                    r -> r.value().contains(session), found -> found.size() > 1, Duration.ofSeconds(5));
            assertThat(stored).hasSize(1);
            assertThat(stored.get(0).key()).isEqualTo("table-050");
            assertThat(stored.get(0).value()).contains("\"fleetId\":\"fleet-2\"");
            assertThat(ingest.metrics().inFlight()).isZero();
        }
    }

    private static TelemetryReading reading(String fleetId, String tableId, String session) {
        return new TelemetryReading(fleetId, tableId, 1, Instant.now(), session, 30, 12, true);
    }
}
