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
import tools.jackson.core.JacksonException;

/** The alert and live-state topics, and dead letters for records the rules cannot read. */
@Configuration(proxyBeanMethods = false)
class KafkaConfiguration {

    @Bean
    KafkaAdmin.NewTopics safetyTopics() {
        return new KafkaAdmin.NewTopics(Stream.of(TopicCatalogue.SAFETY_ALERTS, TopicCatalogue.FLEET_LIVE,
                        TopicCatalogue.TELEMETRY_READINGS_DEAD_LETTERS, TopicCatalogue.TABLE_STATUS_DEAD_LETTERS)
                .map(topic -> TopicBuilder.name(topic.name()).partitions(topic.partitions()).replicas(1).configs(topic.configs()).build())
                .toArray(NewTopic[]::new));
    }

    /** Asks the broker how far behind the rules are, on connections other than their consumer's ({@link BrokerLook}). */
    @Bean(destroyMethod = "close")
    Admin brokerLookAdmin(KafkaAdmin admin) {
        return Admin.create(admin.getConfigurationProperties());
    }

    /**
     * Dead letters keep the original bytes: the records could not be read as JSON in the first place. Their
     * keys were read as text, and are written as text: a byte-array key serialiser refused them, so the
     * record was never dead-lettered and its partition stalled behind it.
     */
    @Bean
    DefaultErrorHandler deadLetters(KafkaProperties properties) {
        Map<String, Object> producer = properties.buildProducerProperties();
        producer.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
        producer.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        KafkaTemplate<String, byte[]> raw = new KafkaTemplate<>(new DefaultKafkaProducerFactory<>(producer));
        ExponentialBackOff untilStored = new ExponentialBackOff(500, 2);
        untilStored.setMaxInterval(10_000);
        DefaultErrorHandler handler = new DefaultErrorHandler(new DeadLetterPublishingRecoverer(raw,
                (record, failure) -> new TopicPartition(Topics.deadLettersOf(record.topic()), 0)), untilStored);
        // an unreadable record goes to its dead-letter topic at once; anything else (MongoDB away) is retried, never skipped
        handler.addNotRetryableExceptions(JacksonException.class, IllegalArgumentException.class);
        return handler;
    }
}
