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

/** Kafka dies in the middle of a stream: the ingest holds back, and after recovery nothing acknowledged is missing. */
class KafkaOutageTest {

    static final int MAX_IN_FLIGHT = 200;

    @Test
    void everyAcknowledgedReadingIsInKafkaAfterKafkaIsKilledAndRestartedMidStream() {
        String fleet = "outage";
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
             KafkaBroker kafka = KafkaBroker.start(SharedBrokers.scratchDirectory("kafka-outage"));
             RunningIngest ingest = RunningIngest.start(mqtt.uri(), kafka.bootstrapServers(), "outage-test",
                     "--tiltfleet.ingest.mqtt.max-in-flight=" + MAX_IN_FLIGHT)) {
            List<TablePublisher> tables = TablePublisher.connectAll(mqtt.uri(), fleet,
                    IntStream.range(0, 10).mapToObj(i -> "table-" + i).toList());

            // Given a steady stream of 6,000 readings at 1,000/s, flowing into Kafka
            ReadingStream stream = ReadingStream.start(fleet, tables, 600, 1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> forwarded(ingest) >= 1500);

            // When Kafka is killed mid-stream
            kafka.kill();

            // Then the ingest stops forwarding and holds at most its in-flight bound while tables keep publishing
            await().atMost(Duration.ofSeconds(30)).until(() -> ingest.metrics().inFlight() >= MAX_IN_FLIGHT / 2);
            double stalledAt = forwarded(ingest);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() ->
                    forwarded(ingest) == stalledAt && ingest.metrics().inFlight() <= MAX_IN_FLIGHT);
            assertThat(ingest.get("/actuator/health/kafka")).contains("\"DOWN\"");
            // and the readiness the probes ask says so too
            assertThat(ingest.readiness()).isEqualTo("DOWN");

            // And when Kafka comes back, it recovers by itself: every acknowledged reading is stored
            kafka.startAgain();
            stream.done().join();
            tables.forEach(TablePublisher::close);
            FaultReport report = DeliveryReport.collect("kafka-kill-restart", kafka.bootstrapServers(), fleet, stream, Duration.ofSeconds(120));

            assertThat(report.acknowledged()).isEqualTo(6000);
            assertThat(report.lost()).isZero();
            await().atMost(Duration.ofSeconds(30)).until(() -> "UP".equals(ingest.readiness()));
        }
    }

    private static double forwarded(RunningIngest ingest) {
        return IngestPipelineTest.counter(ingest.get("/actuator/prometheus"),
                "tiltfleet_ingest_messages_forwarded_total{application=\"ingest-service\",kind=\"telemetry\"}");
    }
}
