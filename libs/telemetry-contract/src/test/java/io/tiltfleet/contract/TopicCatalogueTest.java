package io.tiltfleet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopicCatalogueTest {

    @Test
    void everyKafkaTopicNameHasOneEntry() {
        String[] kafkaNames = Arrays.stream(Topics.class.getFields())
                .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class)
                .filter(field -> !field.getName().startsWith("MQTT"))
                .map(TopicCatalogueTest::valueOf).toArray(String[]::new);
        assertThat(TopicCatalogue.ALL).extracting(KafkaTopic::name).containsExactlyInAnyOrder(kafkaNames);
    }

    @Test
    void deadLetterTopicsFollowTheNamingTheConsumersUse() {
        assertThat(Topics.deadLettersOf(Topics.TELEMETRY_READINGS)).isEqualTo(TopicCatalogue.TELEMETRY_READINGS_DEAD_LETTERS.name())
                .isEqualTo("telemetry.readings.v1-dlt");
        assertThat(Topics.deadLettersOf(Topics.TABLE_STATUS)).isEqualTo(TopicCatalogue.TABLE_STATUS_DEAD_LETTERS.name());
    }

    @Test
    void onlyTheTopicsOfLatestValuesAreCompacted() {
        assertThat(TopicCatalogue.ALL).filteredOn(topic -> topic.cleanupPolicy() == KafkaTopic.CleanupPolicy.COMPACT)
                .containsExactly(TopicCatalogue.TABLE_STATUS, TopicCatalogue.FLEET_CONFIG, TopicCatalogue.TABLE_REGISTRY);
    }

    @Test
    void configsUseKafkasOwnNamesAndUnits() {
        assertThat(TopicCatalogue.FLEET_LIVE.configs()).isEqualTo(Map.of("retention.ms", "3600000", "cleanup.policy", "delete"));
        assertThat(new KafkaTopic("x", 1, Duration.ofDays(7), KafkaTopic.CleanupPolicy.COMPACT).configs())
                .isEqualTo(Map.of("retention.ms", "604800000", "cleanup.policy", "compact"));
    }

    private static String valueOf(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
