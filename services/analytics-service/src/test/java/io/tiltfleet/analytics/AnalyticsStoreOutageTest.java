package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** MongoDB unreachable while sessions close: the intake reads them again once it is back, none lost, none doubled. */
class AnalyticsStoreOutageTest {

    static final int TABLES = 5;
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** 40 s at 40 degrees from {@code start}, one reading a second, then (in the second part) back at 0. */
    static List<List<TelemetryReading>> sessionsInTwoParts(Instant start) {
        List<TelemetryReading> opening = new ArrayList<>();
        List<TelemetryReading> closing = new ArrayList<>();
        for (int table = 1; table <= TABLES; table++) {
            for (int second = 0; second <= 40; second++) {
                double angle = second == 40 ? 0 : 40;
                TelemetryReading reading = new TelemetryReading("clinic-outage", "t-" + table, second + 1, start.plusSeconds(second),
                        angle > 0 ? "s-" + table : null, angle, second, true);
                (second < 20 ? opening : closing).add(reading);
            }
        }
        return List.of(opening, closing);
    }

    @Test
    void sessionsClosingWhileMongoDbIsAwayAreStoredWholeOnceItIsBack() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        Instant start = Instant.now().minusSeconds(60).truncatedTo(ChronoUnit.SECONDS);
        List<List<TelemetryReading>> parts = sessionsInTwoParts(start);
        // the alerts topic exists before the service starts, as in a deployment: its events are read as they come
        RunningAnalytics.publishAlertEvents(kafka, List.of(new SafetyAlertEvent("a-before", "clinic-outage-before", "t-1", AlertChange.RAISED,
                "OVER_ANGLE", "WARNING", "ACTIVE_UNACKNOWLEDGED", "steep", start, start, null, null, null)));
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy link = TcpProxy.start(mongo.port());
             RunningService analytics = RunningAnalytics.start(kafka,
                     "mongodb://127.0.0.1:" + link.port() + "/tiltfleet?serverSelectionTimeoutMS=1500&connectTimeoutMS=1000",
                     "analytics-outage", "--tiltfleet.analytics.idle-timeout=10m", "--tiltfleet.analytics.store-retry-max=2s")) {
            // Given sessions open on every table
            RunningAnalytics.publish(kafka, parts.get(0));
            // (other tests' sessions in the shared topic may be open as well)
            await().atMost(Duration.ofSeconds(30)).until(() ->
                    RunningAnalytics.metric(analytics, "tiltfleet_analytics_sessions_open") >= TABLES);

            // (and a fleet whose data an operator will ask to remove)
            analytics.bean(ReactiveMongoTemplate.class).insert(RetentionTest.session("gone", start), "sessions").block();

            // When MongoDB becomes unreachable just as they close, and a critical alert is raised and acknowledged 30 s later
            link.cut();
            RunningAnalytics.publish(kafka, parts.get(1));
            Instant raised = start.plusSeconds(10);
            RunningAnalytics.publishAlertEvents(kafka, List.of(
                    new SafetyAlertEvent("a-outage", "clinic-outage", "t-1", AlertChange.RAISED, "OVER_ANGLE", "CRITICAL", "ACTIVE_UNACKNOWLEDGED",
                            "steep", raised, raised, null, null, null),
                    new SafetyAlertEvent("a-outage", "clinic-outage", "t-1", AlertChange.ACKNOWLEDGED, "OVER_ANGLE", "CRITICAL",
                            "ACTIVE_ACKNOWLEDGED", "steep", raised, raised.plusSeconds(30), "olivia", null, null)));

            // Then the intake reports the failure and holds on
            await().atMost(Duration.ofSeconds(30)).until(() -> RunningAnalytics.get(analytics, "/actuator/health").contains("storeFailure"));
            assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_store_failures_total")).isPositive();

            // and a removal of a fleet's data asked meanwhile fails, saying so
            Map<String, String> operator = Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "olivia");
            String fleetData = "/api/analytics/fleets/clinic-r/data";
            assertThat(LoopbackHttp.send(analytics.port(), "DELETE", fleetData, null, operator).statusCode()).isGreaterThanOrEqualTo(500);

            // When MongoDB is back
            link.restore();

            // Then the data is still there, and asked again the removal takes it away
            assertThat(RunningAnalytics.get(analytics, fleetData).lines()).hasSize(1);
            HttpResponse<String> removal = LoopbackHttp.send(analytics.port(), "DELETE", fleetData, null, operator);
            assertThat(removal.body()).contains("\"sessions\":1");
            assertThat(RunningAnalytics.get(analytics, fleetData)).isEmpty();

            // Then every session is there once, whole: 40 s inverted, 41 readings each
            String sessions = "/api/analytics/fleets/clinic-outage/sessions?from=" + start.minusSeconds(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> RunningAnalytics.get(analytics, sessions).contains("\"totalItems\":" + TABLES));
            String listed = RunningAnalytics.get(analytics, sessions);
            assertThat(listed.split("\"readings\":41,", -1)).hasSize(TABLES + 1);
            assertThat(listed.split("\"durationS\":40.0,", -1)).hasSize(TABLES + 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> RunningAnalytics.get(analytics, "/actuator/health/intake").contains("\"UP\""));
            JsonNode days = JSON.readTree(RunningAnalytics.get(analytics,
                    "/api/analytics/fleets/clinic-outage/usage?granularity=DAY&from=" + start.minusSeconds(86_400))).path("periods");
            assertThat(days.valueStream().mapToInt(day -> day.path("sessions").asInt()).sum()).isEqualTo(TABLES);
            assertThat(days.valueStream().mapToDouble(day -> day.path("invertedMinutes").asDouble()).sum()).isCloseTo(TABLES * 40 / 60.0, within(0.002));
            // and the alert's events, read again until stored, are there as well
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                JsonNode fleet = JSON.readTree(RunningAnalytics.get(analytics, "/api/analytics/fleets/clinic-outage/safety-report")).path("fleet");
                assertThat(fleet.path("alerts").asInt()).isEqualTo(1);
                assertThat(fleet.path("medianSecondsToAcknowledgeCritical").asDouble()).isEqualTo(30.0);
            });
        }
    }
}
