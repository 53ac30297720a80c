package io.tiltfleet.ingest.forwarding;

import io.tiltfleet.contract.KafkaTopic;
import io.tiltfleet.contract.TopicCatalogue;
import io.tiltfleet.ingest.IngestProperties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
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
                topic(TopicCatalogue.TELEMETRY_READINGS, kafka),
                topic(TopicCatalogue.TABLE_STATUS, kafka),
                topic(TopicCatalogue.TELEMETRY_REJECTED, kafka));
    }

    @Bean(destroyMethod = "close")
    Admin kafkaHealthAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }

    private static NewTopic topic(KafkaTopic topic, IngestProperties.Kafka kafka) {
        int partitions = kafka.partitions() == null ? topic.partitions() : kafka.partitions();
        return TopicBuilder.name(topic.name()).partitions(partitions).replicas(kafka.replicas()).configs(topic.configs()).build();
    }
}
