package io.tiltfleet.gateway;

import static org.awaitility.Awaitility.await;

import io.tiltfleet.analytics.AnalyticsApplication;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.ingest.IngestApplication;
import io.tiltfleet.safety.SafetyAlertApplication;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The whole platform in this JVM, as the local run has it: brokers, the three services and the gateway with its local keys. */
public final class LocalStack implements AutoCloseable {

    public final MosquittoBroker mqtt;
    public final MongoStandIn mongo;
    public final ConfigurableApplicationContext ingest;
    public final ConfigurableApplicationContext safety;
    public final ConfigurableApplicationContext analytics;
    public final ConfigurableApplicationContext gateway;
    private final List<AutoCloseable> started = new ArrayList<>();

    private LocalStack() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        mqtt = remember(MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto")));
        mongo = remember(MongoStandIn.start(Ports.free()));
        // every context here sees the MongoDB driver on the class path: all point at the stand-in, which lacks the 'hello' of the health check
        String[] common = {"--server.port=0", "--spring.kafka.bootstrap-servers=" + kafka, "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                "--management.health.mongodb.enabled=false"};
        // the gateway's Spring Security is on this class path too; in their own jars the services have none
        String[] service = with(common, "--spring.autoconfigure.exclude="
                + "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
                + "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration");
        ingest = remember(IngestApplication.builder().run(with(service,
                "--tiltfleet.ingest.mqtt.broker-uri=" + mqtt.uri(), "--tiltfleet.ingest.mqtt.client-id=e2e-ingest")));
        await().atMost(Duration.ofSeconds(60)).until(() -> LoopbackHttp.get(port(ingest), "/actuator/health/mqtt").contains("\"UP\""));
        safety = remember(SafetyAlertApplication.builder().run(service));
        analytics = remember(AnalyticsApplication.builder().run(with(service,
                "--spring.kafka.consumer.group-id=e2e-analytics", "--tiltfleet.analytics.idle-timeout=5s")));
        gateway = remember(GatewayApplication.builder().profiles("local").run(with(common, "--management.server.port=0",
                "--tiltfleet.gateway.safety-uri=http://127.0.0.1:" + port(safety),
                "--tiltfleet.gateway.analytics-uri=http://127.0.0.1:" + port(analytics))));
    }

    public static LocalStack start() {
        return new LocalStack();
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.add(resource);
        return resource;
    }

    private static String[] with(String[] common, String... more) {
        List<String> args = new ArrayList<>(List.of(common));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    public static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    /** Where a context serves /actuator: the gateway on its own management port, a service on its server port unless it has one too. */
    public static int managementPort(ConfigurableApplicationContext context) {
        return context.getEnvironment().getProperty("local.management.port", Integer.class, port(context));
    }

    public String dashboardUrl() {
        return "http://127.0.0.1:" + port(gateway) + "/";
    }

    @Override
    public void close() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }
}
