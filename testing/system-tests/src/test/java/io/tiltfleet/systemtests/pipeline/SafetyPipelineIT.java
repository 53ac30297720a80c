package io.tiltfleet.systemtests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.PlatformServices;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.Disposable;

/** MQTT in, through the real ingest and Kafka, to an over-angle alert on a dashboard's event stream, acknowledged over HTTP. */
class SafetyPipelineIT {

    /** As in the local run, the API also serves calls without the caller headers the gateway sets. */
    private static final String WITHOUT_CALLER_HEADERS = "--tiltfleet.safety.allow-calls-without-caller=true";

    @Test
    void overAngleReadingsOverMqttShowUpAsOneAlertOnTheStreamAndCanBeAcknowledged() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             RunningService ingest = PlatformServices.ingest(mqtt.uri(), kafka, mongo.uri("ingest"), "safety-test-ingest");
             RunningService safety = PlatformServices.safety(kafka, mongo.uri("tiltfleet"), WITHOUT_CALLER_HEADERS);
             TablePublisher table = TablePublisher.connect(mqtt.uri(), "clinic-sse", "t-80")) {

            // Given a dashboard on the fleet's event stream
            List<ServerSentEvent<String>> received = new CopyOnWriteArrayList<>();
            Disposable dashboard = WebClient.create("http://127.0.0.1:" + safety.port())
                    .get().uri("/api/fleet/clinic-sse/stream").retrieve()
                    .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                    .subscribe(received::add);

            // When the table tilts to 80 degrees and stays there
            Instant start = Instant.now().minusSeconds(30);
            for (int second = 0; second < 20; second++) {
                double angle = Math.min(80, second * 8.0);
                table.publish(new TelemetryReading("clinic-sse", "t-80", second + 1, start.plusSeconds(second), "s-1", angle, second, true)).join();
            }

            // Then one over-angle alert arrives on the stream: critical, 80 being 20 degrees above the limit
            await().atMost(Duration.ofSeconds(30)).until(() -> alertEvents(received).findAny().isPresent());
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> alertEvents(received).count() == 1);
            assertThat(alertEvents(received).toList().get(0)).contains("\"type\":\"OVER_ANGLE\"", "\"change\":\"RAISED\"",
                    "\"severity\":\"CRITICAL\"", "\"state\":\"ACTIVE_UNACKNOWLEDGED\"", "limit of 60");
            assertThat(received).anyMatch(e -> "table".equals(e.event()) && e.data().contains("\"tableId\":\"t-80\""));
            String alertData = received.stream().filter(e -> "alert".equals(e.event())).findFirst().orElseThrow().data();
            int idStart = alertData.indexOf("\"alertId\":\"") + 11;
            String alertId = alertData.substring(idStart, alertData.indexOf('"', idStart));

            // When an operator acknowledges it
            HttpResponse<String> acknowledged = safety.send("POST", "/api/alerts/" + alertId + "/acknowledge", "{\"by\":\"olivia\"}",
                    Map.of("Content-Type", "application/json"));

            // Then it is acknowledged, by her, and the stream says so
            assertThat(acknowledged.statusCode()).isEqualTo(200);
            assertThat(acknowledged.body()).contains("\"state\":\"ACTIVE_ACKNOWLEDGED\"", "\"acknowledgedBy\":\"olivia\"");
            await().atMost(Duration.ofSeconds(10)).until(() -> alertEvents(received).anyMatch(e -> e.contains("\"change\":\"ACKNOWLEDGED\"")));
            assertThat(safety.get("/api/alerts?fleetId=clinic-sse")).contains(alertId).contains("ACTIVE_ACKNOWLEDGED");
            assertThat(safety.get("/actuator/prometheus"))
                    .contains("tiltfleet_safety_alerts_raised_total{application=\"safety-alert-service\",severity=\"CRITICAL\",type=\"OVER_ANGLE\"} 1.0")
                    .contains("tiltfleet_safety_alert_latency_seconds_count")
                    .contains("tiltfleet_safety_stream_missed_total{application=\"safety-alert-service\",lane=\"alert\"}")
                    .contains("tiltfleet_safety_stream_missed_total{application=\"safety-alert-service\",lane=\"table\"}");
            dashboard.dispose();
        }
    }

    private static Stream<String> alertEvents(List<ServerSentEvent<String>> received) {
        return received.stream().filter(e -> "alert".equals(e.event())).map(ServerSentEvent::data);
    }
}
