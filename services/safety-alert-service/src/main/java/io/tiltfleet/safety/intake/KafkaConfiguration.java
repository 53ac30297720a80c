package io.tiltfleet.safety.intake;

import io.tiltfleet.contract.TopicCatalogue;
import io.tiltfleet.contract.Topics;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/** The alert, live-state and configuration topics, and dead letters for records the rules cannot read. */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    KafkaAdmin.NewTopics safetyTopics() {
        return new KafkaAdmin.NewTopics(Stream.of(TopicCatalogue.SAFETY_ALERTS, TopicCatalogue.FLEET_LIVE, TopicCatalogue.FLEET_CONFIG,
                        TopicCatalogue.TABLE_REGISTRY, TopicCatalogue.TELEMETRY_READINGS_DEAD_LETTERS, TopicCatalogue.TABLE_STATUS_DEAD_LETTERS)
                .map(topic -> TopicBuilder.name(topic.name()).partitions(topic.partitions()).replicas(1).configs(topic.configs()).build())
                .toArray(NewTopic[]::new));
    }

    /** Asks the broker how far behind the rules are, on connections other than their consumer's ({@link BrokerLook}). */
    @Bean(destroyMethod = "close")
    Admin brokerLookAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }

    /**
     * Writes the records the rules cannot read to their dead-letter topics, values as their original
     * bytes: they could not be read as JSON in the first place. Keys were read as text and are written as
     * text: a byte-array key serialiser refused them, so no dead letter was written and the partition
     * stalled behind the record.
     */
    @Bean
    DeadLetterPublishingRecoverer deadLetters(KafkaProperties properties) {
        Map<String, Object> producer = properties.buildProducerProperties();
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaTemplate<String, byte[]> raw = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(producer));
        return new DeadLetterPublishingRecoverer(raw, (record, failure) -> new TopicPartition(Topics.deadLettersOf(record.topic()), 0));
    }

    /**
     * A batch the rules could not see through (MongoDB or Kafka away) is run again whole, for as long as it
     * takes: never skipped, never dead-lettered. Unreadable records never get here: the listener
     * dead-letters them itself, once it has run the others.
     */
    @Bean
    DefaultErrorHandler untilStored() {
        ExponentialBackOff untilStored = new ExponentialBackOff(500, 2);
        untilStored.setMaxInterval(10_000);
        return new DefaultErrorHandler(untilStored);
    }
}
