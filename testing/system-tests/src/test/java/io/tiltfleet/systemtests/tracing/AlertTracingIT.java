package io.tiltfleet.systemtests.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.PlatformServices;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One trace from the MQTT message at the ingest, through the readings topic, to the alert event it
 * caused: the alert record's W3C traceparent carries the trace id the ingest created, and the service's
 * JSON log line about the alert names the table and that trace.
 */
@ExtendWith(OutputCaptureExtension.class)
class AlertTracingIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String JSON_LOGS = "--logging.structured.format.console=ecs";

    @Test
    void theAlertEventContinuesTheTraceTheIngestStartedForTheReadingThatCausedIt(CapturedOutput output) throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             // logging is set up once per JVM, by the first context: both ask for the JSON format the images use
             RunningService ingest = PlatformServices.ingest(mqtt.uri(), kafka, mongo.uri("ingest"), "safety-test-ingest", JSON_LOGS);
             RunningService safety = PlatformServices.safety(kafka, mongo.uri("tiltfleet"),
                     "--tiltfleet.safety.allow-calls-without-caller=true", JSON_LOGS);
             TablePublisher table = TablePublisher.connect(mqtt.uri(), "clinic-trace", "t-trace")) {

            // Given a table held at 80 degrees, 20 above the limit, readings one second apart
            Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minusSeconds(30);
            for (int second = 0; second < 10; second++) {
                table.publish(new TelemetryReading("clinic-trace", "t-trace", second + 1, start.plusSeconds(second), "s-1", 80, second, true)).join();
            }

            // When the safety service raises the over-angle alert
            ConsumerRecord<String, String> alert = TopicReader.read(kafka, Topics.SAFETY_ALERTS,
                    r -> new TableRef("clinic-trace", "t-trace").key().equals(r.key()) && r.value().contains("\"change\":\"RAISED\""), found -> !found.isEmpty(),
                    Duration.ofSeconds(30)).get(0);

            // Then its headers carry the trace of the very reading that raised it, created by the ingest
            Instant causeTs = Instant.parse(JSON.readTree(alert.value()).get("readingTs").asString());
            List<ConsumerRecord<String, String>> readings = TopicReader.read(kafka, Topics.TELEMETRY_READINGS,
                    r -> new TableRef("clinic-trace", "t-trace").key().equals(r.key()), found -> found.size() == 10, Duration.ofSeconds(30));
            ConsumerRecord<String, String> cause = readings.stream()
                    .filter(r -> Instant.parse(JSON.readTree(r.value()).get("ts").asString()).equals(causeTs)).findFirst().orElseThrow();
            String traceId = traceIdOf(cause);
            assertThat(traceIdOf(alert)).isEqualTo(traceId);
            assertThat(readings.stream().map(AlertTracingIT::traceIdOf).distinct()).as("each message starts its own trace").hasSize(10);

            // And the service's JSON log line about the alert names the table and that trace
            JsonNode logLine = output.getOut().lines().filter(line -> line.startsWith("{") && line.contains("Alert OVER_ANGLE RAISED"))
                    .map(JSON::readTree).findFirst().orElseThrow();
            assertThat(logLine.get("tableId").asString()).isEqualTo("t-trace");
            assertThat(logLine.get("traceId").asString()).isEqualTo(traceId);
            assertThat(logLine.get("log").get("logger").asString()).isEqualTo("io.tiltfleet.safety.alerts.AlertEvents");
        }
    }

    /** The trace id of a record's W3C {@code traceparent} header: {@code 00-<trace id>-<span id>-<flags>}. */
    private static String traceIdOf(ConsumerRecord<String, String> record) {
        Header traceparent = record.headers().lastHeader("traceparent");
        assertThat(traceparent).as("traceparent header of %s", record.topic()).isNotNull();
        String[] parts = new String(traceparent.value(), StandardCharsets.UTF_8).split("-");
        assertThat(parts).hasSize(4);
        return parts[1];
    }
}
