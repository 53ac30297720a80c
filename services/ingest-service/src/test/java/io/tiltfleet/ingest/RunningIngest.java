package io.tiltfleet.ingest;

import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.LoopbackHttp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The ingest service started in this JVM against the given brokers, for one test class. */
final class RunningIngest implements AutoCloseable {

    private static final String SHARE_GROUP = "--tiltfleet.ingest.mqtt.share-group=";

    private final ConfigurableApplicationContext context;

    private RunningIngest(ConfigurableApplicationContext context) {
        this.context = context;
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
        List<String> args = new ArrayList<>(settings);
        args.add("--server.port=0");
        args.addAll(List.of(moreArgs));
        return new RunningIngest(IngestApplication.builder().run(args.toArray(String[]::new)));
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
        return context.getBean(IngestMetrics.class);
    }

    String get(String path) {
        return LoopbackHttp.get(((WebServerApplicationContext) context).getWebServer().getPort(), path);
    }

    @Override
    public void close() {
        context.close();
    }
}
