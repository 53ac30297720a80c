package io.tiltfleet.ingest.mqtt;

import io.tiltfleet.ingest.IngestMetrics;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/** MQTT is healthy while the intake is connected to the broker and subscribed to the tables' topics. */
@Component("mqtt")
class MqttHealthIndicator implements HealthIndicator {

    private final MqttIntake intake;
    private final IngestMetrics metrics;

    MqttHealthIndicator(MqttIntake intake, IngestMetrics metrics) {
        this.intake = intake;
        this.metrics = metrics;
    }

    @Override
    public Health health() {
        String notSubscribed = intake.notSubscribed();
        Health.Builder builder = intake.isConnected() && notSubscribed == null ? Health.up() : Health.down();
        return builder.withDetail("subscription", notSubscribed == null ? "granted" : notSubscribed)
                .withDetail("broker", intake.settings().brokerUri())
                .withDetail("clientId", intake.settings().clientId())
                .withDetail("inFlight", metrics.inFlight())
                .withDetail("maxInFlight", intake.settings().maxInFlight())
                .build();
    }
}
