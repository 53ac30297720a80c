package io.tiltfleet.notification.delivery;

import io.tiltfleet.contract.TopicCatalogue;
import java.time.Duration;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaAdmin;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/** The deliveries topic, the indexes, and how a batch of alert events that cannot be stored is retried. */
@Configuration(proxyBeanMethods = false)
class DeliveryConfiguration {

    @Bean
    KafkaAdmin.NewTopics notificationTopics() {
        return new KafkaAdmin.NewTopics(TopicBuilder.name(TopicCatalogue.NOTIFICATION_DELIVERIES.name())
                .partitions(TopicCatalogue.NOTIFICATION_DELIVERIES.partitions()).replicas(1)
                .configs(TopicCatalogue.NOTIFICATION_DELIVERIES.configs()).build());
    }

    /** While MongoDB refuses, the batch is tried again, never skipped: skipping would lose its alerts' notifications. */
    @Bean
    DefaultErrorHandler retryUntilStored() {
        ExponentialBackOff untilStored = new ExponentialBackOff(500, 2);
        untilStored.setMaxInterval(10_000);
        return new DefaultErrorHandler(untilStored);
    }

    /** Before the alert intake starts (after every bean is made, before any listener runs): no notification is stored unindexed. */
    @Bean
    SmartInitializingSingleton deliveryIndexes(ScheduleStore schedule, DeliveryRecorder recorder, AlertStateStore states) {
        return () -> schedule.createIndexes().then(recorder.createIndexes()).then(states.createIndexes()).block(Duration.ofSeconds(30));
    }
}
