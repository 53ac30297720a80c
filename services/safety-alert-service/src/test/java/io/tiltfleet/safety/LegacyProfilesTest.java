package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.safety.limits.SafetyProfile;
import io.tiltfleet.safety.rules.Contraindication;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;

/** An upgrade from an older version: no profile kept only in MongoDB is lost, no per-fleet limit of its configuration ignored. */
class LegacyProfilesTest {

    @Test
    void aProfileStoredBeforeTheConfigurationLogIsMovedIntoItAtStart() {
        try (MongoStandIn olderMongo = MongoStandIn.start(Ports.free())) {
            try (MongoClient client = MongoClients.create(olderMongo.uri("tiltfleet"))) {
                new ReactiveMongoTemplate(client, "tiltfleet").save(new SafetyProfile(SafetyProfile.idOf("clinic-legacy", "t-1"), "clinic-legacy", "t-1", 75.0, null,
                        Set.of(Contraindication.GLAUCOMA), Instant.parse("2026-11-20T10:00:00Z"))).block();
            }

            RunningService upgraded = RunningSafety.start(SharedBrokers.kafka().bootstrapServers(), olderMongo.uri("tiltfleet"));
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> upgraded.get("/api/fleet/clinic-legacy/tables/t-1/profile").contains("GLAUCOMA"));
                assertThat(upgraded.get("/api/fleet/clinic-legacy/tables/t-1/profile")).contains("\"maxAngleDeg\":75.0");
                assertThat(upgraded.get("/api/fleets/clinic-legacy/audit")).contains("\"by\":\"migration\"");
            } finally {
                upgraded.close();
            }
        }
    }

    @Test
    void perFleetLimitsInTheConfigurationOfOlderVersionsAreRefusedAtStartNotIgnored() {
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            assertThatThrownBy(() -> RunningSafety.start(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"),
                    "--tiltfleet.safety.fleets.clinic-yaml.silence-timeout=5s"))
                    .hasStackTraceContaining("tiltfleet.safety.fleets is no longer read");
        }
    }
}
