package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.ReadingStream;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.simulator.TablePublisher;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Mosquitto restarts mid-stream: what it acknowledged before going down waits, on disk, in the ingest's
 * persistent session, and so does the session's subscription, so that what tables publish once the
 * broker is back is queued even before the ingest has reconnected. Readings published while the broker
 * was down were never acknowledged: the tables know. (With a share group, Mosquitto 2.0 does not
 * restore the subscription, and what tables publish before the ingest subscribes again is dropped.)
 */
class MqttBrokerRestartTest {

    @Test
    void everyReadingTheBrokerAcknowledgedReachesKafkaAcrossABrokerRestart() {
        String fleet = "mqtt-restart";
        KafkaBroker kafka = SharedBrokers.kafka();
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto-restart"));
             RunningIngest ingest = RunningIngest.startAlone(mqtt.uri(), kafka.bootstrapServers(), "mqtt-restart-test")) {
            List<TablePublisher> tables = TablePublisher.connectAll(mqtt.uri(), fleet, IntStream.range(0, 10).mapToObj(i -> "table-" + i).toList());

            // Given 6,000 readings at 1,000/s going through the broker
            ReadingStream stream = ReadingStream.start(fleet, tables, 600, 1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.acknowledged().size() >= 2000);

            // When the broker restarts, and the tables reconnect once it is back
            mqtt.restart();
            tables.forEach(table -> await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                table.reconnect();
                return true;
            }));
            await().atMost(Duration.ofSeconds(60)).until(() -> ingest.get("/actuator/health/mqtt").contains("\"UP\""));
            stream.done().join();
            tables.forEach(TablePublisher::close);

            // Then every acknowledged reading is in Kafka
            FaultReport report = DeliveryReport.collect("mosquitto-restart", kafka.bootstrapServers(), fleet, stream, Duration.ofSeconds(120));
            assertThat(report.acknowledged()).isGreaterThan(2000);
            assertThat(report.lost()).isZero();
        }
    }
}
