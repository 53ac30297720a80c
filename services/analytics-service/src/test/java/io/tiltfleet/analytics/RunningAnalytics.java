package io.tiltfleet.analytics;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.LoopbackHttp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.json.JsonMapper;

/** The analytics service started in this JVM against the test's Kafka and MongoDB, and what a test does with it. */
final class RunningAnalytics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private RunningAnalytics() {
    }

    static ConfigurableApplicationContext start(String kafka, String mongoUri, String groupId, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + kafka,
                "--spring.kafka.consumer.group-id=" + groupId,
                "--spring.mongodb.uri=" + mongoUri,
                "--management.health.mongodb.enabled=false"));
        args.addAll(List.of(more));
        return AnalyticsApplication.builder().run(args.toArray(String[]::new));
    }

    /** What the ingest does: readings into the telemetry topic, keyed by table, acknowledged by every replica. */
    static void publish(String kafka, List<TelemetryReading> readings) {
        createTelemetryTopic(kafka);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            readings.forEach(reading -> producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, reading.tableId(),
                    JSON.writeValueAsBytes(reading))));
            producer.flush();
        }
    }

    private static void createTelemetryTopic(String kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            if (!admin.listTopics().names().get().contains(Topics.TELEMETRY_READINGS)) {
                admin.createTopics(Stream.of(new NewTopic(Topics.TELEMETRY_READINGS, 4, (short) 1)).toList()).all().get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the telemetry topic", e);
        }
    }

    static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    static String get(ConfigurableApplicationContext context, String path) {
        return LoopbackHttp.get(port(context), path);
    }

    static HttpResponse<String> request(ConfigurableApplicationContext context, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port(context) + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one sample of a Prometheus counter or gauge, 0 when absent. */
    static double metric(ConfigurableApplicationContext context, String sample) {
        return get(context, "/actuator/prometheus").lines().filter(line -> line.startsWith(sample))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
