package io.tiltfleet.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.ReadingStream;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.simulator.TablePublisher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The ingest stops mid-stream, killed or gracefully; its successor, on the same session, delivers what the broker kept. */
class IngestCrashTest {

    @Test
    void successorOfAKilledIngestDeliversEveryAcknowledgedReading() {
        String fleet = "crash";
        Path scratch = SharedBrokers.scratchDirectory("ingest-crash");
        try (MosquittoBroker mqtt = MosquittoBroker.start(scratch.resolve("mosquitto"))) {
            KafkaBroker kafka = SharedBrokers.kafka();
            int firstPort = Ports.free();
            ManagedProcess first = startIngest(mqtt, kafka, firstPort, scratch.resolve("first.log"));
            List<TablePublisher> tables = TablePublisher.connectAll(mqtt.uri(), fleet,
                    IntStream.range(0, 10).mapToObj(i -> "table-" + i).toList());

            // Given a stream of 6,000 readings at 1,000/s going through an ingest process
            ReadingStream stream = ReadingStream.start(fleet, tables, 600, 1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> forwarded(firstPort) >= 2000);

            // When the process is killed without any chance to drain or disconnect
            first.kill();

            // Then a new instance with the same MQTT session receives what the broker still holds, and nothing is lost
            int secondPort = Ports.free();
            ManagedProcess second = startIngest(mqtt, kafka, secondPort, scratch.resolve("second.log"));
            stream.done().join();
            tables.forEach(TablePublisher::close);
            FaultReport report = DeliveryReport.collect("ingest-kill-9", kafka.bootstrapServers(), fleet, stream, Duration.ofSeconds(120));
            second.stop(Duration.ofSeconds(30));

            assertThat(report.acknowledged()).isEqualTo(6000);
            assertThat(report.lost()).isZero();
        }
    }

    @Test
    void gracefulShutdownMidStreamDrainsWhatIsInFlightAndTheSuccessorDeliversTheRest() {
        String fleet = "graceful";
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"))) {
            KafkaBroker kafka = SharedBrokers.kafka();
            RunningIngest first = RunningIngest.start(mqtt.uri(), kafka.bootstrapServers(), "graceful-test");
            List<TablePublisher> tables = TablePublisher.connectAll(mqtt.uri(), fleet,
                    IntStream.range(0, 10).mapToObj(i -> "table-" + i).toList());

            // Given a stream of 6,000 readings at 1,000/s
            ReadingStream stream = ReadingStream.start(fleet, tables, 600, 1000);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.metrics().inFlight() > 0 && stream.acknowledged().size() >= 2000);

            // When the instance shuts down gracefully mid-stream, then a successor starts on the same session
            IngestMetrics firstMetrics = first.metrics();
            first.close();
            assertThat(firstMetrics.inFlight()).as("messages left in flight after the drain").isZero();
            try (RunningIngest second = RunningIngest.start(mqtt.uri(), kafka.bootstrapServers(), "graceful-test")) {
                stream.done().join();
                tables.forEach(TablePublisher::close);
                FaultReport report = DeliveryReport.collect("ingest-graceful-stop", kafka.bootstrapServers(), fleet, stream, Duration.ofSeconds(120));

                // Then nothing is lost
                assertThat(report.acknowledged()).isEqualTo(6000);
                assertThat(report.lost()).isZero();
            }
        }
    }

    private static ManagedProcess startIngest(MosquittoBroker mqtt, KafkaBroker kafka, int port, Path log) {
        List<String> arguments = new ArrayList<>(List.of("--server.port=" + port));
        arguments.addAll(RunningIngest.arguments(mqtt.uri(), kafka.bootstrapServers(), "crash-test"));
        ManagedProcess process = ManagedProcess.startJava("ingest on port " + port, IngestApplication.class, arguments, log);
        process.awaitReady(() -> LoopbackHttp.get(port, "/actuator/health/mqtt").contains("\"UP\""), Duration.ofSeconds(90));
        return process;
    }

    private static double forwarded(int port) {
        return IngestPipelineTest.counter(LoopbackHttp.get(port, "/actuator/prometheus"),
                "tiltfleet_ingest_messages_forwarded_total{application=\"ingest-service\",kind=\"telemetry\"}");
    }
}
