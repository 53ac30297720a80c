package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The analytics service under faults, each ending in a count of the sessions owed by 10 tables with 3
 * sessions each (20 s inverted, 21 readings): killed with SIGKILL mid-stream and its successor taking
 * over from the last commit, and its MongoDB answering late. Each session must be stored once and whole.
 */
class AnalyticsFaultTest {

    static final int TABLES = 10;
    static final int SESSIONS_PER_TABLE = 3;
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void killedWithSigkillMidStreamItsSuccessorStoresEverySessionOnceAndWhole() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        Path logs = SharedBrokers.scratchDirectory("analytics-kill");
        Instant start = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free())) {
            int firstPort = Ports.free();
            ManagedProcess first = startProcess(kafka, mongo, firstPort, logs.resolve("first.log"));

            // Given two of each table's three sessions published, and the first of them stored
            RunningAnalytics.publish(kafka, sessions("fault-kill", start, session -> session < 2));
            await().atMost(Duration.ofSeconds(60)).until(() -> listed(firstPort, "fault-kill", start).size() >= TABLES);

            // When the service is killed without a chance to commit, the rest arrives, and a successor starts in the same group
            first.kill();
            RunningAnalytics.publish(kafka, sessions("fault-kill", start, session -> session == 2));
            int secondPort = Ports.free();
            ManagedProcess second = startProcess(kafka, mongo, secondPort, logs.resolve("second.log"));
            try {
                // Then every session is stored, once and whole
                assertEverySessionOnceAndWhole(report("analytics-kill-9", secondPort, "fault-kill", start));
            } finally {
                second.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void withMongoDbAnswering200MsLateEverySessionIsStoredOnceAndWhole() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        Instant start = Instant.now().minus(2, ChronoUnit.HOURS).truncatedTo(ChronoUnit.MINUTES);
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy slowLink = TcpProxy.start(mongo.port());
             RunningService analytics = RunningAnalytics.start(kafka, "mongodb://127.0.0.1:" + slowLink.port() + "/tiltfleet",
                     "analytics-slow-mongo")) {
            // Given MongoDB answering every request 200 ms late, both ways
            slowLink.delay(Duration.ofMillis(200));

            // When every table's three sessions arrive
            RunningAnalytics.publish(kafka, sessions("fault-slow", start, session -> true));

            // Then every session is stored, once and whole, only later
            assertEverySessionOnceAndWhole(report("analytics-slow-mongodb", analytics.port(), "fault-slow", start));
        }
    }

    /** Each table's sessions: 20 s at 30 degrees, then flat, one reading a second, a minute apart; seq runs on across them. */
    static List<TelemetryReading> sessions(String fleet, Instant start, IntPredicate which) {
        List<TelemetryReading> readings = new ArrayList<>();
        for (int table = 0; table < TABLES; table++) {
            for (int session = 0; session < SESSIONS_PER_TABLE; session++) {
                if (!which.test(session)) {
                    continue;
                }
                Instant sessionStart = start.plusSeconds(60L * session);
                for (int second = 0; second <= 20; second++) {
                    readings.add(new TelemetryReading(fleet, "t-" + table, session * 100L + second + 1, sessionStart.plusSeconds(second),
                            "s-" + session, second < 20 ? 30 : 0, second, true));
                }
            }
        }
        return readings;
    }

    private static FaultReport report(String scenario, int port, String fleet, Instant start) {
        int owed = TABLES * SESSIONS_PER_TABLE;
        await().atMost(Duration.ofSeconds(120)).until(() -> listed(port, fleet, start).size() >= owed);
        List<JsonNode> listed = listed(port, fleet, start);
        Set<String> whole = new HashSet<>();
        for (JsonNode session : listed) {
            if (session.get("readings").asInt() == 21 && session.get("durationS").asDouble() == 20.0) {
                whole.add(session.get("tableId").asString() + "/" + session.get("sessionId").asString());
            }
        }
        return new FaultReport(scenario, "sessions", owed, owed, listed.size(), listed.size() - whole.size(), owed - whole.size()).print();
    }

    private static List<JsonNode> listed(int port, String fleet, Instant start) {
        return JSON.readTree(RunningAnalytics.get(port, "/api/analytics/fleets/" + fleet + "/sessions?size=100&from=" + start.minusSeconds(1)))
                .path("items").valueStream().toList();
    }

    private static void assertEverySessionOnceAndWhole(FaultReport sessions) {
        assertThat(sessions.lost()).as("sessions missing or cut short").isZero();
        assertThat(sessions.duplicates()).as("sessions stored twice or in pieces").isZero();
    }

    private static ManagedProcess startProcess(String kafka, MongoStandIn mongo, int port, Path log) {
        ManagedProcess process = ManagedProcess.startJava("analytics on port " + port, AnalyticsApplication.class, List.of(
                "--server.port=" + port, "--spring.kafka.bootstrap-servers=" + kafka, "--spring.kafka.consumer.group-id=analytics-kill",
                "--spring.mongodb.uri=" + mongo.uri("tiltfleet"), "--management.health.mongodb.enabled=false",
                // the broker drops the killed process from its groups after 6 s rather than 45 s
                "--spring.kafka.consumer.properties.session.timeout.ms=6000"), log);
        process.awaitReady(() -> LoopbackHttp.isUp(port), Duration.ofSeconds(120));
        return process;
    }
}
