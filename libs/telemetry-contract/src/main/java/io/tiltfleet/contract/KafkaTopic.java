package io.tiltfleet.contract;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * A Kafka topic as the platform creates it. Replication is left to whoever creates it: it depends on the
 * cluster, not on the contract.
 *
 * @param retention how long records are kept; for a compacted topic, how long before compaction may drop them
 */
public record KafkaTopic(String name, int partitions, Duration retention, CleanupPolicy cleanupPolicy) {

    public enum CleanupPolicy {
        DELETE, COMPACT;

        /** As Kafka's {@code cleanup.policy} spells it. */
        public String configValue() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The topic's settings under Kafka's own config names, as a topic is created with them. */
    public Map<String, String> configs() {
        return Map.of("retention.ms", Long.toString(retention.toMillis()), "cleanup.policy", cleanupPolicy.configValue());
    }
}
