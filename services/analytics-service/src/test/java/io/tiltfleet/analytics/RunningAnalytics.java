package io.tiltfleet.analytics;

import io.tiltfleet.contract.KafkaTopic;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.TopicCatalogue;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.RunningService;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** The analytics service started in this JVM against the test's Kafka and MongoDB, and what a test does with it. */
final class RunningAnalytics {

    /** The caller headers the gateway sets on every request it forwards, here for a credential of every fleet. */
    static final Map<String, String> THROUGH_THE_GATEWAY = Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "analytics-test");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() { };

    private RunningAnalytics() {
    }

    static RunningService start(String kafka, String mongoUri, String groupId, String... more) {
        return RunningService.of(AnalyticsApplication.builder()).kafka(kafka).mongo(mongoUri)
                .with("--spring.kafka.consumer.group-id=" + groupId).with(more).start();
    }

    /**
     * What the ingest does: readings into the telemetry topic, keyed by fleet and table, acknowledged by every
     * replica; each record is dated with its reading's time, as if it had just arrived from its table.
     */
    static void publish(String kafka, List<TelemetryReading> readings) {
        createTelemetryTopic(kafka);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            readings.forEach(reading -> producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, null, reading.ts().toEpochMilli(),
                    reading.table().key(), JSON.writeValueAsBytes(reading))));
            producer.flush();
        }
    }

    /** What the safety service does when an operator registers a table: the change on the registry topic, keyed by fleet and table. */
    static void register(String kafka, TableRegistration registration) {
        send(kafka, TopicCatalogue.TABLE_REGISTRY, registration.table().key(), Map.of("id", UUID.randomUUID().toString(), "kind", "REGISTRY",
                "fleetId", registration.fleetId(), "tableId", registration.tableId(), "registration", registration, "by", "test",
                "at", Instant.now().toString()));
    }

    /** What the safety service does when an operator sets a fleet's time zone: its settings on the configuration topic, keyed by fleet. */
    static void setTimeZone(String kafka, String fleetId, String zone) {
        sendFleetConfig(kafka, fleetId, Map.of("id", UUID.randomUUID().toString(), "kind", "SETTINGS", "fleetId", fleetId,
                "settings", Map.of("maxAngleDeg", 70, "timeZone", zone), "by", "test", "at", Instant.now().toString()));
    }

    static void sendFleetConfig(String kafka, String key, Map<String, Object> change) {
        send(kafka, TopicCatalogue.FLEET_CONFIG, key, change);
    }

    /** What the safety service does with every change of an alert: its event on the alerts topic, keyed by fleet and table. */
    static void publishAlertEvents(String kafka, List<SafetyAlertEvent> events) {
        events.forEach(event -> send(kafka, TopicCatalogue.SAFETY_ALERTS, new TableRef(event.fleetId(), event.tableId()).key(),
                JSON.convertValue(event, MAP)));
    }

    private static void send(String kafka, KafkaTopic topic, String key, Map<String, Object> change) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka));
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer())) {
            if (!admin.listTopics().names().get().contains(topic.name())) {
                admin.createTopics(List.of(new NewTopic(topic.name(), topic.partitions(), (short) 1).configs(topic.configs()))).all().get();
            }
            producer.send(new ProducerRecord<>(topic.name(), key, JSON.writeValueAsBytes(change))).get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot write " + key + " to " + topic.name(), e);
        }
    }

    private static void createTelemetryTopic(String kafka) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            if (!admin.listTopics().names().get().contains(Topics.TELEMETRY_READINGS)) {
                // kept whatever their age: the records are dated by their readings, some weeks back
                admin.createTopics(Stream.of(new NewTopic(Topics.TELEMETRY_READINGS, 4, (short) 1)
                        .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"))).toList()).all().get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("cannot create the telemetry topic", e);
        }
    }

    /** The response body of a GET as the gateway sends it for a credential of every fleet, or an empty string while nothing answers. */
    static String get(RunningService analytics, String path) {
        return get(analytics.port(), path);
    }

    static String get(int port, String path) {
        try {
            return request(port, path, THROUGH_THE_GATEWAY).body();
        } catch (IOException e) {
            return "";
        }
    }

    static HttpResponse<String> request(RunningService analytics, String path) throws IOException {
        return request(analytics.port(), path, THROUGH_THE_GATEWAY);
    }

    /** A GET with exactly these headers: {@link #THROUGH_THE_GATEWAY}, or others to see what the service does with them. */
    static HttpResponse<String> request(RunningService analytics, String path, Map<String, String> headers) throws IOException {
        return request(analytics.port(), path, headers);
    }

    private static HttpResponse<String> request(int port, String path, Map<String, String> headers) throws IOException {
        return LoopbackHttp.send(port, "GET", path, null, headers);
    }

    /** The value of one sample of a Prometheus counter or gauge, 0 when absent. */
    static double metric(RunningService analytics, String sample) {
        return get(analytics, "/actuator/prometheus").lines().filter(line -> line.startsWith(sample))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
