package io.tiltfleet.ingest;

import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.RunningService;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/** The ingest service started in this JVM against the given brokers, for one test class. */
final class RunningIngest implements AutoCloseable {

    private static final String SHARE_GROUP = "--tiltfleet.ingest.mqtt.share-group=";

    private final RunningService service;

    private RunningIngest(RunningService service) {
        this.service = service;
    }

    static RunningIngest start(String mqttUri, String kafkaBootstrap, String clientId, String... moreArgs) {
        RunningIngest ingest = run(arguments(mqttUri, kafkaBootstrap, clientId), moreArgs);
        ingest.awaitSubscribed();
        return ingest;
    }

    /** One instance on a plain subscription, as a single ingest runs (docker-compose, the local run). */
    static RunningIngest startAlone(String mqttUri, String kafkaBootstrap, String clientId, String... moreArgs) {
        RunningIngest ingest = startAloneUnchecked(mqttUri, kafkaBootstrap, clientId, moreArgs);
        ingest.awaitSubscribed();
        return ingest;
    }

    /** Like {@link #startAlone}, without waiting for the subscription: for a broker that refuses it. */
    static RunningIngest startAloneUnchecked(String mqttUri, String kafkaBootstrap, String clientId, String... moreArgs) {
        return run(arguments(mqttUri, kafkaBootstrap, clientId).stream()
                .map(arg -> arg.startsWith(SHARE_GROUP) ? SHARE_GROUP : arg).toList(), moreArgs);
    }

    private static RunningIngest run(List<String> settings, String... moreArgs) {
        return new RunningIngest(RunningService.of(IngestApplication.builder()).with(settings).with(moreArgs).start());
    }

    /** Until the session exists and the broker granted its subscription, the broker has nobody to keep the tables' messages for. */
    private void awaitSubscribed() {
        await().atMost(Duration.ofSeconds(60)).until(() -> get("/actuator/health/mqtt").contains("\"UP\""));
    }

    /**
     * The settings that point an ingest instance at the test's brokers, in a share group as several
     * instances run; shared with the out-of-process instance.
     */
    static List<String> arguments(String mqttUri, String kafkaBootstrap, String clientId) {
        return List.of(
                "--tiltfleet.ingest.mqtt.broker-uri=" + mqttUri,
                "--tiltfleet.ingest.mqtt.client-id=" + clientId,
                SHARE_GROUP + clientId + "-group",
                "--spring.kafka.bootstrap-servers=" + kafkaBootstrap,
                "--tiltfleet.ingest.kafka.partitions=4");
    }

    IngestMetrics metrics() {
        return service.bean(IngestMetrics.class);
    }

    String get(String path) {
        return service.get(path);
    }

    /** The readiness group's own status (UP, DOWN), not any of its components': they say UP while the group is DOWN. */
    String readiness() {
        return JsonMapper.shared().readTree(get("/actuator/health/readiness")).path("status").asString();
    }

    @Override
    public void close() {
        service.close();
    }
}
