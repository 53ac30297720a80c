package io.tiltfleet.ingest.forwarding;

import io.tiltfleet.ingest.IngestMetrics;
import java.time.Duration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.springframework.boot.health.contributor.AbstractReactiveHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Kafka is healthy when the cluster answers and no message has failed to be stored. A failed message
 * stays unacknowledged at the MQTT broker, which redelivers it once this instance restarts: DOWN
 * tells the orchestrator to do so.
 */
@Component("kafka")
class KafkaHealthIndicator extends AbstractReactiveHealthIndicator {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final Admin admin;
    private final IngestMetrics metrics;

    KafkaHealthIndicator(Admin kafkaHealthAdmin, IngestMetrics metrics) {
        this.admin = kafkaHealthAdmin;
        this.metrics = metrics;
    }

    @Override
    protected Mono<Health> doHealthCheck(Health.Builder builder) {
        DescribeClusterOptions options = new DescribeClusterOptions().timeoutMs((int) TIMEOUT.toMillis());
        return Mono.fromCompletionStage(admin.describeCluster(options).nodes().toCompletionStage())
                .timeout(TIMEOUT.plusSeconds(1))
                .map(nodes -> {
                    double failures = metrics.forwardFailures();
                    Health.Builder status = failures > 0 ? builder.down() : builder.up();
                    return status.withDetail("brokers", nodes.size()).withDetail("unstoredMessages", (long) failures).build();
                });
    }
}
