package io.tiltfleet.ingest;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the ingest service; defaults in ingest-service.yml. Kafka client settings are Boot's own
 * {@code spring.kafka.*}.
 *
 * @param maxClockSkew how far a reading's {@code ts} may be from the time the ingest received it (a status:
 *                     how far ahead) before it is rejected as OUT_OF_RANGE
 */
@Validated
@ConfigurationProperties("tiltfleet.ingest")
public record IngestProperties(@Valid @NotNull Mqtt mqtt, @Valid @NotNull Kafka kafka, @NotNull Duration maxClockSkew) {

    /**
     * @param brokerUri             e.g. tcp://127.0.0.1:1883
     * @param clientId              stable per instance: the persistent session, and the messages the broker
     *                              holds for it, belong to this id; a broker that binds client ids to
     *                              accounts (infra/mosquitto: {@code use_username_as_clientid}) uses the
     *                              username instead, so give each instance its own account
     * @param shareGroup            blank: one instance takes every table's messages on a plain subscription,
     *                              which Mosquitto 2.0 keeps across its own restarts; set: instances in the
     *                              group split the traffic through a shared subscription, which Mosquitto
     *                              2.0 does not restore after a restart (messages published before the
     *                              instances subscribe again are dropped: use a broker that keeps them)
     * @param maxInFlight           messages received but not yet stored in Kafka; sent to the broker as the
     *                              MQTT 5 receive maximum, so it stops delivering beyond it
     * @param sessionExpiry         how long the broker keeps this instance's session, and its queued
     *                              messages, while it is away
     * @param drainTimeout          on shutdown, how long to wait for in-flight messages to reach Kafka
     * @param username              optional, for brokers that authenticate services: one account per instance
     */
    public record Mqtt(@NotBlank String brokerUri,
                       @NotBlank String clientId,
                       String shareGroup,
                       @Min(1) @Max(65535) int maxInFlight,
                       @NotNull Duration sessionExpiry,
                       @NotNull Duration keepAlive,
                       @NotNull Duration drainTimeout,
                       String username,
                       String password) {
    }

    /**
     * @param partitions  partitions of the topics this service creates, the upper bound of consumers per group;
     *                    unset: each topic's own from {@link io.tiltfleet.contract.TopicCatalogue}
     * @param replicas    replication factor of those topics
     */
    public record Kafka(@Min(1) Integer partitions, @Min(1) short replicas) {
    }
}
