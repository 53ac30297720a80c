package io.tiltfleet.safety;

import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.ingest.IngestApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The services of the pipeline started in this JVM against the test's brokers. */
final class RunningServices {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private RunningServices() {
    }

    /** A safety service whose API, as in the local run, also serves calls that carry no caller headers. */
    static ConfigurableApplicationContext safety(String kafka, String mongoUri, String... more) {
        List<String> args = new ArrayList<>(List.of("--tiltfleet.safety.allow-calls-without-caller=true"));
        args.addAll(List.of(more));
        return safetyBehindGateway(kafka, mongoUri, args.toArray(String[]::new));
    }

    /** A safety service as deployed: its API serves only calls that the gateway's caller headers name. */
    static ConfigurableApplicationContext safetyBehindGateway(String kafka, String mongoUri, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--spring.mongodb.uri=" + mongoUri,
                "--management.health.mongodb.enabled=false"));
        args.addAll(List.of(more));
        return SafetyAlertApplication.builder().run(args.toArray(String[]::new));
    }

    static ConfigurableApplicationContext ingest(String mqttUri, String kafka, String mongoUri, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.application.name=ingest-service",
                "--tiltfleet.ingest.mqtt.broker-uri=" + mqttUri,
                "--tiltfleet.ingest.mqtt.client-id=safety-test-ingest",
                "--spring.kafka.bootstrap-servers=" + kafka,
                // the safety service's MongoDB driver is on this class path too; point it at the stand-in
                "--spring.mongodb.uri=" + mongoUri,
                "--management.health.mongodb.enabled=false"));
        args.addAll(List.of(more));
        ConfigurableApplicationContext ingest = IngestApplication.builder().run(args.toArray(String[]::new));
        await().atMost(Duration.ofSeconds(60)).until(() -> get(ingest, "/actuator/health/mqtt").contains("\"UP\""));
        return ingest;
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

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static String get(ConfigurableApplicationContext context, String path) {
        return LoopbackHttp.get(port(context), path);
    }

    static HttpResponse<String> post(ConfigurableApplicationContext context, String path, String json) throws Exception {
        return send(context, "POST", path, json);
    }

    /** A JSON request; a null body sends none. */
    static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path, String json) throws Exception {
        return send(context, method, path, json, Map.of());
    }

    /** A JSON request with these headers (such as the gateway's caller headers); a null body sends none. */
    static HttpResponse<String> send(ConfigurableApplicationContext context, String method, String path, String json,
                                     Map<String, String> headers) throws Exception {
        HttpRequest.BodyPublisher body = json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + path))
                .header("Content-Type", "application/json").method(method, body);
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
