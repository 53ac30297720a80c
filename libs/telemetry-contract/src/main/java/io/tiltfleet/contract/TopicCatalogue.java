package io.tiltfleet.contract;

import static io.tiltfleet.contract.KafkaTopic.CleanupPolicy.COMPACT;
import static io.tiltfleet.contract.KafkaTopic.CleanupPolicy.DELETE;

import java.time.Duration;
import java.util.List;

/**
 * Every Kafka topic of the platform, with the partitions, retention and cleanup it is created with. The
 * services create the topics they write from here; {@code infra/kafka/topics.conf} lists the same topics for
 * a cluster prepared in advance, and a test keeps the two equal.
 */
public final class TopicCatalogue {

    /** The partition count caps how many instances of a consumer group share the work (see infra/k8s/README.md). */
    private static final int PARTITIONS = 12;
    /** Dead letters are read by a person, one at a time, if ever. */
    private static final int DEAD_LETTER_PARTITIONS = 1;

    public static final KafkaTopic TELEMETRY_READINGS =
            new KafkaTopic(Topics.TELEMETRY_READINGS, PARTITIONS, Duration.ofDays(7), DELETE);
    /** Compacted: the latest status of each table is what counts. */
    public static final KafkaTopic TABLE_STATUS =
            new KafkaTopic(Topics.TABLE_STATUS, PARTITIONS, Duration.ofDays(7), COMPACT);
    /** Kept long enough to diagnose a firmware or fleet problem. */
    public static final KafkaTopic TELEMETRY_REJECTED =
            new KafkaTopic(Topics.TELEMETRY_REJECTED, PARTITIONS, Duration.ofDays(30), DELETE);
    public static final KafkaTopic SAFETY_ALERTS =
            new KafkaTopic(Topics.SAFETY_ALERTS, PARTITIONS, Duration.ofDays(90), DELETE);
    /** Kept as long as the alerts: who was told of an alert, and when, is part of its record. */
    public static final KafkaTopic NOTIFICATION_DELIVERIES =
            new KafkaTopic(Topics.NOTIFICATION_DELIVERIES, PARTITIONS, Duration.ofDays(90), DELETE);
    /** Every instance reads it from the newest records on: older live states are of no use to anyone. */
    public static final KafkaTopic FLEET_LIVE =
            new KafkaTopic(Topics.FLEET_LIVE, PARTITIONS, Duration.ofHours(1), DELETE);
    /**
     * One partition: every change of every fleet in one order, read whole by every safety instance. Compacted: the
     * latest settings of each fleet and profile of each table are kept for ever.
     */
    public static final KafkaTopic FLEET_CONFIG =
            new KafkaTopic(Topics.FLEET_CONFIG, 1, Duration.ofDays(7), COMPACT);
    /** One partition, like {@link #FLEET_CONFIG}: a registry change is answered once read back in the log's one order. */
    public static final KafkaTopic TABLE_REGISTRY =
            new KafkaTopic(Topics.TABLE_REGISTRY, 1, Duration.ofDays(7), COMPACT);
    public static final KafkaTopic TELEMETRY_READINGS_DEAD_LETTERS =
            new KafkaTopic(Topics.TELEMETRY_READINGS_DEAD_LETTERS, DEAD_LETTER_PARTITIONS, Duration.ofDays(30), DELETE);
    public static final KafkaTopic TABLE_STATUS_DEAD_LETTERS =
            new KafkaTopic(Topics.TABLE_STATUS_DEAD_LETTERS, DEAD_LETTER_PARTITIONS, Duration.ofDays(30), DELETE);

    public static final List<KafkaTopic> ALL = List.of(TELEMETRY_READINGS, TABLE_STATUS, TELEMETRY_REJECTED, SAFETY_ALERTS,
            NOTIFICATION_DELIVERIES, FLEET_LIVE, FLEET_CONFIG, TABLE_REGISTRY, TELEMETRY_READINGS_DEAD_LETTERS,
            TABLE_STATUS_DEAD_LETTERS);

    private TopicCatalogue() {
    }
}
