package io.tiltfleet.ingest.forwarding;

import io.tiltfleet.ingest.IngestMetrics;
import java.time.Duration;
import java.time.Instant;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka is healthy when the cluster answers and the last record was stored. While Kafka refuses records
 * the intake has the MQTT broker redeliver them, and this indicator, part of the readiness group, says
 * DOWN until a record is stored again.
 */
@Component("kafka")
class KafkaHealthIndicator extends AbstractReactiveHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Admin admin;
    private final IngestMetrics metrics;
    private final TelemetryForwarder forwarder;

    KafkaHealthIndicator(Admin kafkaHealthAdmin, IngestMetrics metrics, TelemetryForwarder forwarder) {
        this.admin = kafkaHealthAdmin;
        this.metrics = metrics;
        this.forwarder = forwarder;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        DescribeClusterOptions options = new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis());
        return Mono.fromCompletionStage(admin.describeCluster(options).nodes().toCompletionStage())
                .timeout(TIMEOUT.plusSeconds(1))
                .map(nodes -> {
                    Instant failingSince = forwarder.failingSince();
                    Health.Builder status = failingSince == null ? builder.up() : builder.down().withDetail("failingSince", failingSince);
                    return status.withDetail("brokers", nodes.size()).withDetail("forwardFailures", metrics.forwardFailures()).build();
                });
    }
}
