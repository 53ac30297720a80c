package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertEvents;
import io.tiltfleet.safety.alerts.AlertState;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/**
 * Kafka refusing alert events must fail each publication on its own, so that the rules try it again.
 * Several refused events in one producer batch were split by the producer again and again (it splits by
 * its batch size, not by the topic's limit: KAFKA-8350) until its network thread died of a stack overflow,
 * and no alert was published again: what the fault test met when a wave of alerts went out together.
 */
class RefusedAlertEventsTest {

    private static final int TOGETHER = 8;

    @Test
    void alertEventsPublishedTogetherWhileKafkaRefusesThemFailEachAndGoOutOnceKafkaTakesThemAgain() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            RunningService safety = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            try {
                AlertEvents events = safety.bean(AlertEvents.class);

                // Given Kafka refusing alert events, when a table's alert events go out at the same moment
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, true);
                List<CompletableFuture<Void>> refused = publishTogether(events);

                // Then each fails, refused for its size, rather than hanging
                for (CompletableFuture<Void> publication : refused) {
                    assertThatThrownBy(() -> publication.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(RecordTooLargeException.class);
                }

                // And once Kafka takes them again, the same producer publishes them
                // (each try publishes a new wave: a broker may still hold the old limit a moment after it reports the new one)
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, false);
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    for (CompletableFuture<Void> publication : publishTogether(events)) {
                        assertThat(publication).succeedsWithin(10, TimeUnit.SECONDS);
                    }
                });
            } finally {
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, false);
                safety.close();
            }
        }
    }

    private static List<CompletableFuture<Void>> publishTogether(AlertEvents events) {
        Instant now = Instant.now();
        return IntStream.range(0, TOGETHER).mapToObj(i -> new Alert(UUID.randomUUID().toString(), "refused", "t-1", AlertType.OVER_ANGLE,
                        Severity.WARNING, AlertState.ACTIVE_UNACKNOWLEDGED, "angle over the limit", now, now, null, null, null, List.of(), null))
                .map(alert -> events.publish(alert, AlertChange.RAISED, null, null).toFuture()).toList();
    }
}
