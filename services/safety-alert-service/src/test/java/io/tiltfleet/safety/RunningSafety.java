package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.RunningService;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;

/** The safety service started in this JVM against the test's brokers, and the topics it reads. */
final class RunningSafety {

    private RunningSafety() {
    }

    /** A safety service whose API, as in the local run, also serves calls that carry no caller headers. */
    static RunningService start(String kafka, String mongoUri, String... more) {
        return RunningService.of(SafetyAlertApplication.builder()).kafka(kafka).mongo(mongoUri)
                .with("--tiltfleet.safety.allow-calls-without-caller=true").with(more).start();
    }

    /** A safety service as deployed: its API serves only calls that the gateway's caller headers name. */
    static RunningService startBehindGateway(String kafka, String mongoUri, String... more) {
        return RunningService.of(SafetyAlertApplication.builder()).kafka(kafka).mongo(mongoUri).with(more).start();
    }

    /** What the ingest (or the deployment) creates: the topics the safety service reads. */
    static void createTelemetryTopics(String kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> missing = Stream.of(Topics.TELEMETRY_READINGS, Topics.TABLE_STATUS)
                    .filter(name -> !existing.contains(name)).map(name -> new NewTopic(name, 4, (short) 1)).toList();
            admin.createTopics(missing).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the telemetry topics", e);
        }
    }

    /** An RFC 9457 problem body with this status, naming what was wrong ({@code detail}, if given). */
    static void assertProblem(HttpResponse<String> response, int status, String detail) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        assertThat(response.body()).contains("\"status\":" + status).contains("\"title\"");
        if (detail != null) {
            assertThat(response.body()).contains(detail);
        }
    }

    /** Replaces a fleet's settings (its JSON, such as {@code {"silenceTimeout":"PT5S"}}) through the API, as an operator would. */
    static void putSettings(RunningService safety, String fleetId, String settings) {
        try {
            HttpResponse<String> put = send(safety, "PUT", "/api/fleets/" + fleetId + "/settings", "{\"settings\":" + settings + "}", Map.of());
            if (put.statusCode() != 200) {
                throw new IllegalStateException("the settings of " + fleetId + " were not taken: " + put.statusCode() + " " + put.body());
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot put the settings of " + fleetId, e);
        }
    }

    /** A JSON request with these headers (such as the gateway's caller headers); a null body sends none. */
    static HttpResponse<String> send(RunningService safety, String method, String path, String json,
                                     Map<String, String> headers) throws Exception {
        Map<String, String> withType = new HashMap<>(headers);
        withType.put("Content-Type", "application/json");
        return safety.send(method, path, json, withType);
    }

    /**
     * The broker refuses every record of this topic as too large while {@code refuse} holds: a broker saying no, not a client-side
     * trick. Returns once the broker reports the limit: it applies a topic's config from its metadata log a moment after taking it.
     */
    static void refuseRecordsOf(Admin admin, String topicName, boolean refuse) throws Exception {
        ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, topicName);
        String limit = "16";
        AlterConfigOp change = new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, limit),
                refuse ? AlterConfigOp.OpType.SET : AlterConfigOp.OpType.DELETE);
        admin.incrementalAlterConfigs(Map.of(topic, List.of(change))).all().get();
        await().atMost(Duration.ofSeconds(30)).until(() -> refuse == limit.equals(
                admin.describeConfigs(List.of(topic)).all().get().get(topic).get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG).value()));
    }
}
