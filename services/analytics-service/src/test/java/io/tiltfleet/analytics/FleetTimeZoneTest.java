package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.reactivestreams.client.MongoClient;
import com.mongodb.reactivestreams.client.MongoClients;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fleet's time zone, set on {@code fleet.config.v1} as the safety service writes it, decides the local days of its
 * usage, summary and exports; a request may name another; a change of zone, also one made while no instance ran, cuts
 * the stored rollups again. Three sessions of 10 minutes on 20 November 2026 (UTC) fall on other local days:
 * 18:00Z is 23:30 in Kolkata and 19:00 in Berlin, 19:00Z is 00:30 the next day in Kolkata, 23:30Z is 00:30 the next day in Berlin.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetTimeZoneTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String FLEET_ID = "clinic-tz";
    static final String FLEET = "/api/analytics/fleets/" + FLEET_ID;
    static final String TWO_DAYS = "from=2026-11-19T12:00:00Z&to=2026-11-21T12:00:00Z";
    static String kafka;
    static MongoStandIn mongo;
    static RunningService analytics;

    @BeforeAll
    static void start() {
        kafka = SharedBrokers.kafka().bootstrapServers();
        mongo = MongoStandIn.start(Ports.free());
        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "Asia/Kolkata");
        List<TelemetryReading> readings = new ArrayList<>();
        readings.addAll(tenMinutesFrom("t-1", 1, Instant.parse("2026-11-20T18:00:00Z")));
        readings.addAll(tenMinutesFrom("t-1", 100, Instant.parse("2026-11-20T19:00:00Z")));
        readings.addAll(tenMinutesFrom("t-2", 1, Instant.parse("2026-11-20T23:30:00Z")));
        RunningAnalytics.publish(kafka, readings);
        analytics = startAnalytics();
        // the sessions are stored before their rollups
        await().atMost(Duration.ofSeconds(60)).until(() -> RunningAnalytics.get(analytics, FLEET + "/exports/usage?format=NDJSON").lines()
                .mapToInt(row -> JSON.readTree(row).path("sessions").asInt()).sum() == 3);
    }

    static RunningService startAnalytics() {
        return RunningAnalytics.start(kafka, mongo.uri("tiltfleet"), "analytics-tz", AnalyticsPipelineTest.IDLE_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        analytics.close();
        mongo.close();
    }

    /** Held at 30 degrees for 10 minutes, a reading every 10 s, then upright. */
    static List<TelemetryReading> tenMinutesFrom(String tableId, long firstSeq, Instant start) {
        List<TelemetryReading> readings = new ArrayList<>();
        for (int second = 0; second <= 600; second += 10) {
            boolean held = second < 600;
            readings.add(new TelemetryReading(FLEET_ID, tableId, firstSeq + second / 10, start.plusSeconds(second), held ? "s-" + firstSeq : null,
                    held ? 30 : 0, second, true));
        }
        return readings;
    }

    static JsonNode dailyUsage(String query) {
        return JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/usage?granularity=DAY&" + TWO_DAYS + query));
    }

    /** Each period as its local start, its sessions and its minutes, e.g. "2026-11-21T00:00+05:30 2 20.0". */
    static List<String> periods(JsonNode report) {
        return report.path("periods").valueStream().map(period -> OffsetDateTime.parse(period.path("localStart").asString()) + " "
                + period.path("sessions").asInt() + " " + period.path("invertedMinutes").asDouble()).toList();
    }

    @Test
    @Order(1)
    void theFleetsDaysAreItsLocalDays() {
        JsonNode report = dailyUsage("");

        assertThat(report.path("timeZone").asString()).isEqualTo("Asia/Kolkata");
        assertThat(periods(report)).containsExactly("2026-11-19T00:00+05:30 0 0.0", "2026-11-20T00:00+05:30 1 10.0",
                "2026-11-21T00:00+05:30 2 20.0");
        JsonNode hours = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/tables/t-1/usage?granularity=HOUR"
                + "&from=2026-11-20T17:30:00Z&to=2026-11-20T19:30:00Z"));
        assertThat(periods(hours)).containsExactly("2026-11-20T23:00+05:30 1 10.0", "2026-11-21T00:00+05:30 1 10.0");
    }

    @Test
    @Order(2)
    void aRangeMayBeGivenInLocalDays() {
        JsonNode report = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/usage?granularity=DAY&from=2026-11-20&to=2026-11-22"));

        assertThat(report.path("from").asString()).isEqualTo("2026-11-19T18:30:00Z");
        assertThat(periods(report)).containsExactly("2026-11-20T00:00+05:30 1 10.0", "2026-11-21T00:00+05:30 2 20.0");

        // the widest local days a file may ask for, east of UTC: its first day starts in 1969 by UTC
        assertThat(RunningAnalytics.get(analytics, FLEET + "/exports/sessions?format=NDJSON&from=1970-01-01&to=9999-12-31").lines()).hasSize(3);
    }

    @Test
    @Order(3)
    void aRequestMayAskForAnotherZone() {
        assertThat(periods(dailyUsage("&tz=Europe/Berlin"))).containsExactly("2026-11-19T00:00+01:00 0 0.0",
                "2026-11-20T00:00+01:00 2 20.0", "2026-11-21T00:00+01:00 1 10.0");
        assertThat(periods(dailyUsage("&tz=UTC"))).containsExactly("2026-11-19T00:00Z 0 0.0", "2026-11-20T00:00Z 3 30.0",
                "2026-11-21T00:00Z 0 0.0");
        JsonNode summary = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/summary?day=2026-11-21"));
        assertThat(summary.path("timeZone").asString()).isEqualTo("Asia/Kolkata");
        assertThat(summary.path("usage").path("sessions").asInt()).isEqualTo(2);
        assertThat(summary.path("topTables").valueStream().map(t -> t.path("tableId").asString()).toList()).containsExactly("t-1", "t-2");
        JsonNode berlinSummary = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/summary?day=2026-11-21&tz=Europe/Berlin"));
        assertThat(berlinSummary.path("usage").path("sessions").asInt()).isEqualTo(1);
        assertThat(berlinSummary.path("topTables").valueStream().map(t -> t.path("tableId").asString()).toList()).containsExactly("t-2");
    }

    @Test
    @Order(4)
    void exportsCarryUtcAndLocalTimes() throws Exception {
        HttpResponse<String> sessions = RunningAnalytics.request(analytics, FLEET + "/exports/sessions?format=NDJSON&" + TWO_DAYS);
        List<JsonNode> rows = sessions.body().lines().map(JSON::readTree).toList();
        assertThat(rows).extracting(row -> row.path("start").asString() + " " + row.path("start_local").asString()).containsExactly(
                "2026-11-20T18:00:00Z 2026-11-20T23:30:00+05:30", "2026-11-20T19:00:00Z 2026-11-21T00:30:00+05:30",
                "2026-11-20T23:30:00Z 2026-11-21T05:00:00+05:30");
        assertThat(sessions.headers().firstValue("Content-Disposition")).hasValueSatisfying(name ->
                assertThat(name).contains("tiltfleet_clinic-tz_sessions_2026-11-19_2026-11-21.ndjson"));

        HttpResponse<String> usage = RunningAnalytics.request(analytics, FLEET + "/exports/usage?format=NDJSON&" + TWO_DAYS);
        assertThat(usage.body().lines().map(JSON::readTree).toList()).extracting(row -> row.path("time_zone").asString() + " "
                + row.path("period_start_local").asString() + " " + row.path("period_end_local").asString() + " " + row.path("sessions").asInt())
                .containsExactly("Asia/Kolkata 2026-11-20T00:00:00+05:30 2026-11-21T00:00:00+05:30 1",
                        "Asia/Kolkata 2026-11-21T00:00:00+05:30 2026-11-22T00:00:00+05:30 2");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "/usage?tz=Mars/Olympus                                               | tz: 'Mars/Olympus' is not a time zone",
            "/summary?tz=%2B99:00                                                 | is not a time zone",
            "/usage?tz=%2B05:17                                                   | tz: '+05:17' is not a time zone",
            "/summary?day=%2B999999999-12-31                                      | is not a day between the years 1970 and 9999",
            "/tables/t-1/usage?tz=Europe/Berlin&from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z | leave tz out for the fleet's own time zone (Asia/Kolkata)",
            "/exports/usage?tz=Europe/Berlin                                      | usage exports are cut in the fleet's time zone (Asia/Kolkata)",
            "/exports/sessions?tz=Nowhere                                         | tz: 'Nowhere'",
            "/usage?from=2026-13-01                                               | from: '2026-13-01' is neither a time such as",
            "/exports/usage?to=tomorrow                                           | to: 'tomorrow' is neither",
            "/usage?from=%2B999999999-12-30&to=%2B999999999-12-31                  | from: '+999999999-12-30' is not between the years 1900 and 10000",
            "/exports/sessions?to=%2B1000000000-12-31T00:00:00Z                   | to: '+1000000000-12-31T00:00:00Z' is not between the years",
            "/safety-report?from=1899-12-31                                        | from: '1899-12-31' is not between the years 1900 and 10000"})
    @Order(5)
    void aBadZoneIsRefusedByName(String path, String detail) throws Exception {
        HttpResponse<String> response = RunningAnalytics.request(analytics, FLEET + path);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"status\":400").contains(detail);
    }

    @Test
    @Order(6)
    void aNewZoneCutsTheStoredRollupsAgainAndLeavesNoneOfTheOldOne() {
        double rebuiltBefore = RunningAnalytics.metric(analytics, "tiltfleet_analytics_rollups_rebuild_sessions_total");
        // Given Kolkata periods whose sessions a shorter retention removed: a day a year back, the day before, and the hour that
        // ended 30 minutes before the oldest stored session (18:00Z) began, beside the hour that reaches into it (from 17:30Z)
        insertRollupWithoutSessions("kept-year-before", "DAY", Instant.parse("2025-11-19T18:30:00Z"));
        insertRollupWithoutSessions("kept-day-before", "DAY", Instant.parse("2026-11-18T18:30:00Z"));
        insertRollupWithoutSessions("kept-hour-before", "HOUR", Instant.parse("2026-11-20T16:30:00Z"));

        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "Europe/Berlin");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(periods(dailyUsage(""))).containsExactly(
                "2026-11-19T00:00+01:00 0 0.0", "2026-11-20T00:00+01:00 2 20.0", "2026-11-21T00:00+01:00 1 10.0"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rollupsNotIn("Europe/Berlin")).isZero());
        // they cannot be cut again, so they stay as they were
        assertThat(rollupsWithoutSessions()).containsExactlyInAnyOrder("kept-year-before Asia/Kolkata", "kept-day-before Asia/Kolkata",
                "kept-hour-before Asia/Kolkata");
        assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_rollups_rebuild_sessions_total") - rebuiltBefore).isEqualTo(3);
        assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_rollups_rebuild_remaining")).isZero();

        // Records the safety service skips move nothing here either: no settings, a table named, no id, an offset for a zone
        Map<String, Object> noSettings = new HashMap<>(Map.of("id", "bad-1", "kind", "SETTINGS", "fleetId", FLEET_ID));
        noSettings.put("settings", null);
        RunningAnalytics.sendFleetConfig(kafka, FLEET_ID, noSettings);
        RunningAnalytics.sendFleetConfig(kafka, FLEET_ID, Map.of("id", "bad-2", "kind", "SETTINGS", "fleetId", FLEET_ID, "tableId", "t-1",
                "settings", Map.of("timeZone", "Pacific/Chatham")));
        RunningAnalytics.sendFleetConfig(kafka, FLEET_ID, Map.of("kind", "SETTINGS", "fleetId", FLEET_ID, "settings", Map.of("timeZone", "Pacific/Chatham")));
        RunningAnalytics.sendFleetConfig(kafka, FLEET_ID, Map.of("id", "bad-3", "kind", "SETTINGS", "fleetId", FLEET_ID, "settings", Map.of("timeZone", "+05:30")));
        assertThat(dailyUsage("").path("timeZone").asString()).isEqualTo("Europe/Berlin");   // answered once the log is read to its end
    }

    @Test
    @Order(7)
    void aZoneChangedWhileNoInstanceRanIsTakenAtStart() {
        analytics.close();
        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "America/St_Johns");

        analytics = startAnalytics();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(periods(dailyUsage(""))).containsExactly(
                "2026-11-19T00:00-03:30 0 0.0", "2026-11-20T00:00-03:30 3 30.0", "2026-11-21T00:00-03:30 0 0.0"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rollupsNotIn("America/St_Johns")).isZero());
    }

    @Test
    @Order(8)
    void aRebuildThatStoppedGoesOnAfterTheLastSessionItDid() {
        analytics.close();
        Instant newestStart = Instant.parse("2026-11-20T23:30:00Z");
        // as a rebuild into Europe/Berlin leaves it when killed after its first chunk (of one session, the newest, as if
        // chunks were that small)
        plantRebuild(new Document("_id", FLEET_ID).append("zone", "Europe/Berlin").append("began", new Date()).append("lastStart", Date.from(newestStart))
                .append("lastId", FLEET_ID + "/t-2/s-1/" + newestStart.toEpochMilli()).append("sessionsDone", 1).append("done", false));
        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "Europe/Berlin");

        analytics = startAnalytics();

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(rollupsNotIn("Europe/Berlin")).isZero());
        assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_rollups_rebuild_sessions_total")).isEqualTo(2);
        // the newest session is taken as done, as the stopped rebuild recorded (this one only pretended to have cut it):
        // only the two before it are cut again
        assertThat(periods(dailyUsage(""))).containsExactly("2026-11-19T00:00+01:00 0 0.0", "2026-11-20T00:00+01:00 2 20.0",
                "2026-11-21T00:00+01:00 0 0.0");
    }

    @Test
    @Order(9)
    void aRebuildAnotherInstanceHoldsIsLeftToIt() {
        plantRebuild(new Document("_id", FLEET_ID).append("zone", "Asia/Tokyo").append("began", new Date()).append("sessionsDone", 0)
                .append("done", false).append("owner", "another-instance").append("leaseUntil", Date.from(Instant.now().plusSeconds(3600))));

        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "Asia/Tokyo");

        await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).untilAsserted(() -> {
            assertThat(RunningAnalytics.metric(analytics, "tiltfleet_analytics_rollups_rebuild_sessions_total")).isEqualTo(2);
            assertThat(rollupsNotIn("Europe/Berlin")).isZero();
        });
        assertThat(dailyUsage("").path("timeZone").asString()).isEqualTo("Asia/Tokyo");
    }

    @Test
    @Order(10)
    void aRebuildWhoseOwnerDiedBeforeItsFirstChunkIsDoneAnew() {
        // claimed by an instance killed before it wrote anything but its lease, long run out
        plantRebuild(new Document("_id", FLEET_ID).append("sessionsDone", 0).append("done", false).append("owner", "killed-instance")
                .append("leaseUntil", Date.from(Instant.now().minusSeconds(600))));

        RunningAnalytics.setTimeZone(kafka, FLEET_ID, "Europe/Paris");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(periods(dailyUsage(""))).containsExactly(
                "2026-11-19T00:00+01:00 0 0.0", "2026-11-20T00:00+01:00 2 20.0", "2026-11-21T00:00+01:00 1 10.0"));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rollupsNotIn("Europe/Paris")).isZero());
    }

    static void plantRebuild(Document rebuild) {
        try (MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            Mono.from(client.getDatabase("tiltfleet").getCollection("rollup_rebuilds").replaceOne(Filters.eq("_id", FLEET_ID), rebuild,
                    new ReplaceOptions().upsert(true))).block();
        }
    }

    /** Of the periods the stored sessions reach: the rollups without sessions left out. */
    static long rollupsNotIn(String zone) {
        try (MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            return Mono.from(client.getDatabase("tiltfleet").getCollection("usage_rollups").countDocuments(Filters.and(Filters.eq("fleetId", FLEET_ID),
                    Filters.ne("zone", zone), Filters.not(Filters.regex("_id", "^kept-"))))).block();
        }
    }

    /** A Kolkata day's or hour's rollup of table t-1 whose sessions are no longer stored. */
    static void insertRollupWithoutSessions(String id, String granularity, Instant periodStart) {
        try (MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            Mono.from(client.getDatabase("tiltfleet").getCollection("usage_rollups").insertOne(new Document("_id", id).append("scope", "TABLE")
                    .append("fleetId", FLEET_ID).append("tableId", "t-1").append("granularity", granularity).append("zone", "Asia/Kolkata")
                    .append("periodStart", Date.from(periodStart)).append("sessions", 1).append("secondsPerBand", new Document("BAND_20_40", 600.0))
                    .append("angleSeconds", 18000.0).append("maxAngleDeg", 30.0).append("activeTables", 1))).block();
        }
    }

    /** Each as its id and zone. */
    static List<String> rollupsWithoutSessions() {
        try (MongoClient client = MongoClients.create(mongo.uri("tiltfleet"))) {
            return Flux.from(client.getDatabase("tiltfleet").getCollection("usage_rollups").find(Filters.regex("_id", "^kept-")))
                    .map(rollup -> rollup.getString("_id") + " " + rollup.getString("zone")).collectList().block();
        }
    }
}
