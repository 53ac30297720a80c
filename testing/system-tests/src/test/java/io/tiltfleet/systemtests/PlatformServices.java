package io.tiltfleet.systemtests;

import static org.awaitility.Awaitility.await;

import io.tiltfleet.analytics.AnalyticsApplication;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.gateway.GatewayApplication;
import io.tiltfleet.ingest.IngestApplication;
import io.tiltfleet.notification.NotificationApplication;
import io.tiltfleet.safety.SafetyAlertApplication;
import java.time.Duration;

/**
 * How each of the platform's services starts in this JVM, next to the others: every one sees the class
 * path of all, so each points the MongoDB driver at the test's stand-in, and the services leave out the
 * gateway's Spring Security, which their own jars do not have.
 */
public final class PlatformServices {

    private static final String WITHOUT_GATEWAY_SECURITY = "--spring.autoconfigure.exclude="
            + "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration,"
            + "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration";

    private PlatformServices() {
    }

    /**
     * With profile {@code local}: the tests' webhook receivers listen on 127.0.0.1 over plain http, which it refuses
     * anywhere else.
     */
    public static RunningService notification(String kafka, String mongoUri, RunningService safety, String... more) {
        return service(RunningService.of(NotificationApplication.builder().profiles("local")), kafka, mongoUri)
                .with("--tiltfleet.notification.safety-uri=http://127.0.0.1:" + safety.port()).with(more).start();
    }

    /** Returns once the broker granted its subscription: until then it keeps no table's messages for it. */
    public static RunningService ingest(String mqttUri, String kafka, String mongoUri, String clientId, String... more) {
        RunningService ingest = service(RunningService.of(IngestApplication.builder()), kafka, mongoUri)
                .with("--tiltfleet.ingest.mqtt.broker-uri=" + mqttUri, "--tiltfleet.ingest.mqtt.client-id=" + clientId)
                .with(more).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> ingest.get("/actuator/health/mqtt").contains("\"UP\""));
        return ingest;
    }

    public static RunningService safety(String kafka, String mongoUri, String... more) {
        return service(RunningService.of(SafetyAlertApplication.builder()), kafka, mongoUri).with(more).start();
    }

    public static RunningService analytics(String kafka, String mongoUri, String... more) {
        return service(RunningService.of(AnalyticsApplication.builder()), kafka, mongoUri).with(more).start();
    }

    /**
     * The gateway with its local keys (profile {@code local}) in front of the services on these ports, management on a port
     * of its own.
     */
    public static RunningService gateway(String kafka, String mongoUri, int safetyPort, int analyticsPort, RunningService notification) {
        return RunningService.of(GatewayApplication.builder().profiles("local")).kafka(kafka).mongo(mongoUri)
                .with("--management.server.port=0",
                        "--tiltfleet.gateway.safety-uri=http://127.0.0.1:" + safetyPort,
                        "--tiltfleet.gateway.analytics-uri=http://127.0.0.1:" + analyticsPort)
                .with("--tiltfleet.gateway.notification-uri=http://127.0.0.1:" + notification.port())
                .start();
    }

    private static RunningService.Launch service(RunningService.Launch launch, String kafka, String mongoUri) {
        return launch.kafka(kafka).mongo(mongoUri).with(WITHOUT_GATEWAY_SECURITY);
    }
}
