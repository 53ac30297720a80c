package io.tiltfleet.ingest.forwarding;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.ingest.IngestProperties;
import org.apache.kafka.clients.admin.Admin;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;

/** The topics the ingest writes, created at startup when missing, and an admin client for the health check. */
@Configuration(proxyBeanMethods = false)
class KafkaTopicsConfiguration {

    @Bean
    KafkaAdmin.NewTopics ingestTopics(IngestProperties properties) {
        IngestProperties.Kafka kafka = properties.kafka();
        return new KafkaAdmin.NewTopics(
                topic(Topics.TELEMETRY_READINGS, kafka).build(),
                // the latest status of each table is what counts, as in infra/kafka/topics.conf
                topic(Topics.TABLE_STATUS, kafka).compact().build(),
                topic(Topics.TELEMETRY_REJECTED, kafka).build());
    }

    @Bean(destroyMethod = "close")
    Admin kafkaHealthAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }

    private static TopicBuilder topic(String name, IngestProperties.Kafka kafka) {
        return TopicBuilder.name(name).partitions(kafka.partitions()).replicas(kafka.replicas());
    }
}
