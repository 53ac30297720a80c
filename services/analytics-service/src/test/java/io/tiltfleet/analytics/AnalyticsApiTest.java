package io.tiltfleet.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Filters, paging, the summary and the NDJSON export over the scripted day; bad requests get a 400 problem body,
 * calls that did not come through the gateway a 401, and a caller naming a fleet not its own a 403.
 */
class AnalyticsApiTest {

    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String FLEET = "/api/analytics/fleets/clinic-api";
    static final String DAY = "from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z";
    static MongoStandIn mongo;
    static RunningService analytics;
    static RunningService local;

    @BeforeAll
    static void start() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        mongo = MongoStandIn.start(Ports.free());
        RunningAnalytics.publish(kafka, AnalyticsPipelineTest.scriptedDay("clinic-api"));
        RunningAnalytics.publishAlertEvents(kafka, alertsOfTheDay());
        analytics = RunningAnalytics.start(kafka, mongo.uri("tiltfleet"), "analytics-api", AnalyticsPipelineTest.IDLE_TIMEOUT);
        await().atMost(Duration.ofSeconds(60)).until(() -> RunningAnalytics.get(analytics, FLEET + "/sessions?" + DAY).contains("\"totalItems\":3"));
        // as infra/local/run.sh starts it; both run until the end: closing one would stop the other's shared Netty resources
        local = RunningAnalytics.start(kafka, mongo.uri("tiltfleet"), "analytics-api-local", "--spring.profiles.active=local");
    }

    @AfterAll
    static void stop() {
        local.close();
        analytics.close();
        mongo.close();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // query                                   | session ids (table/device session), newest first
            "minMaxAngleDeg=60                          | t-2/s-2",
            "endedBy=IDLE_TIMEOUT                       | t-2/s-3",
            "tableId=t-2                                | t-2/s-3, t-2/s-2",
            "minDurationS=60                            | t-2/s-2, t-1/s-1",
            "size=1&page=1                              | t-2/s-2",
            "from=2026-11-20T11:05:00Z                  | t-2/s-3, t-2/s-2"})
    void sessionsAreFilteredAndPaged(String query, String expected) {
        JsonNode page = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/sessions?" + query));

        List<String> ids = page.path("items").valueStream().map(s -> s.path("tableId").asString() + "/" + s.path("sessionId").asString()).toList();

        assertThat(ids).containsExactly(expected.split(", "));
    }

    /**
     * t-1's warning, never acknowledged; t-2's two criticals, acknowledged after 30 and 90 s. One acknowledgement arrives
     * before its raise and twice: the facts are the same. The first clears 10 s after its raise by its table's clock, which
     * buffered readings offline, before the acknowledgement was made: its state says acknowledged, but not when.
     */
    static List<SafetyAlertEvent> alertsOfTheDay() {
        Instant warning = Instant.parse("2026-11-20T10:30:00Z");
        Instant overAngle = Instant.parse("2026-11-20T11:01:00Z");
        Instant silent = Instant.parse("2026-11-20T11:10:00Z");
        SafetyAlertEvent overAngleAcknowledged = alert("a-2", "t-2", AlertChange.ACKNOWLEDGED, "OVER_ANGLE", "CRITICAL", "ACTIVE_ACKNOWLEDGED",
                overAngle, overAngle.plusSeconds(30));
        return List.of(
                alert("a-1", "t-1", AlertChange.RAISED, "OVER_DURATION", "WARNING", "ACTIVE_UNACKNOWLEDGED", warning, warning),
                overAngleAcknowledged,
                alert("a-2", "t-2", AlertChange.RAISED, "OVER_ANGLE", "CRITICAL", "ACTIVE_UNACKNOWLEDGED", overAngle, overAngle),
                overAngleAcknowledged,
                alert("a-2", "t-2", AlertChange.CLEARED, "OVER_ANGLE", "CRITICAL", "CLEARED_ACKNOWLEDGED", overAngle, overAngle.plusSeconds(10)),
                alert("a-3", "t-2", AlertChange.RAISED, "SILENT_WHILE_INVERTED", "CRITICAL", "ACTIVE_UNACKNOWLEDGED", silent, silent),
                alert("a-3", "t-2", AlertChange.CLEARED, "SILENT_WHILE_INVERTED", "CRITICAL", "CLEARED_UNACKNOWLEDGED", silent, silent.plusSeconds(20)),
                alert("a-3", "t-2", AlertChange.ACKNOWLEDGED, "SILENT_WHILE_INVERTED", "CRITICAL", "CLEARED_ACKNOWLEDGED", silent,
                        silent.plusSeconds(90)));
    }

    static SafetyAlertEvent alert(String id, String tableId, AlertChange change, String type, String severity, String state, Instant raisedAt,
                                  Instant updatedAt) {
        return new SafetyAlertEvent(id, "clinic-api", tableId, change, type, severity, state, "scripted", raisedAt, updatedAt, null, null, null);
    }

    @Test
    void theSafetyReportGivesEachTableItsSessionsSteepMinutesAlertsAndTimeToAcknowledge() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(JSON.readTree(RunningAnalytics.get(analytics,
                FLEET + "/safety-report?from=2026-11-20&to=2026-11-21")).path("fleet").path("alerts").asInt()).isEqualTo(3));

        JsonNode report = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/safety-report?from=2026-11-20&to=2026-11-21"));

        JsonNode fleet = report.path("fleet");
        assertThat(fleet.path("sessions").asInt()).isEqualTo(3);
        assertThat(fleet.path("criticalAlerts").asInt()).isEqualTo(2);
        assertThat(fleet.path("alertsPer100Sessions").asDouble()).isEqualTo(100.0);
        assertThat(fleet.path("medianSecondsToAcknowledgeCritical").asDouble()).isEqualTo(60.0);   // 30 s and 90 s
        assertThat(fleet.path("criticalUnacknowledged").asInt()).isZero();
        JsonNode t1 = report.path("tables").path(0);
        JsonNode t2 = report.path("tables").path(1);
        assertThat(t1.path("tableId").asString()).isEqualTo("t-1");
        assertThat(t1.path("figures").path("alerts").asInt()).isEqualTo(1);
        assertThat(t1.path("figures").path("medianSecondsToAcknowledgeCritical").isNull()).isTrue();
        assertThat(t2.path("figures").path("sessions").asInt()).isEqualTo(2);
        assertThat(t2.path("figures").path("minutesAbove60").asDouble()).isEqualTo(2.0);
        assertThat(report.path("sites")).hasSize(1);
        assertThat(report.path("sites").path(0).path("site").isNull()).isTrue();
        assertThat(report.path("from").asString()).isEqualTo("2026-11-20T00:00:00Z");
    }

    @Test
    void theSummaryShowsTheDayTheWeekAndTheBusiestTables() {
        JsonNode summary = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/summary?day=2026-11-20"));

        assertThat(summary.path("usage").path("sessions").asInt()).isEqualTo(3);
        assertThat(summary.path("lastSevenDays")).hasSize(7);
        assertThat(summary.path("lastSevenDays").path(0).path("periodStart").asString()).isEqualTo("2026-11-14T00:00:00Z");
        assertThat(summary.path("lastSevenDays").path(5).path("sessions").asInt()).isZero();
        assertThat(summary.path("topTables").valueStream().map(t -> t.path("tableId").asString()).toList()).containsExactly("t-2", "t-1");
        assertThat(summary.path("topTables").path(0).path("invertedMinutes").asDouble()).isEqualTo(2.5);   // 150 s
    }

    @Test
    void aSessionsTraceGivesItsAnglesAndLockOverTime() {
        JsonNode session = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/sessions?tableId=t-1&" + DAY)).path("items").path(0);
        String[] id = session.path("id").asString().split("/");

        JsonNode trace = JSON.readTree(RunningAnalytics.get(analytics, FLEET + "/sessions/" + id[1] + "/" + id[2] + "/" + id[3] + "/trace"));

        List<JsonNode> points = trace.path("points").valueStream().toList();
        assertThat(trace.path("sessionId").asString()).isEqualTo(session.path("id").asString());
        assertThat(points.get(0).path("at").asString()).isEqualTo(session.path("start").asString());
        assertThat(points.get(points.size() - 1).path("at").asString()).isEqualTo(session.path("end").asString());
        // held at 30, then at 50, then upright: the changes (each held until the next), not every reading
        assertThat(points).extracting(point -> point.path("angleDeg").asDouble()).containsExactly(30.0, 50.0, 0.0);
        assertThat(points).allSatisfy(point -> assertThat(point.path("locked").asBoolean()).isTrue());
    }

    /** The fleet's rollups are summed by MongoDB from its tables' rollups: each column as Usage.ofTables sums it. */
    @Test
    void eachOfTheFleetsHoursSumsItsTablesHours() {
        List<JsonNode> tables = RunningAnalytics.get(analytics, FLEET + "/exports/usage?format=NDJSON&tables=true&granularity=HOUR&" + DAY)
                .lines().map(JSON::readTree).toList();
        List<JsonNode> fleet = RunningAnalytics.get(analytics, FLEET + "/exports/usage?format=NDJSON&granularity=HOUR&" + DAY)
                .lines().map(JSON::readTree).toList();

        assertThat(fleet).extracting(hour -> hour.path("period_start").asString()).containsExactly("2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z");
        assertThat(fleet.get(1).path("active_tables").asInt()).isEqualTo(2);
        for (JsonNode hour : fleet) {
            List<JsonNode> itsTables = tables.stream().filter(table -> table.path("period_start").equals(hour.path("period_start"))).toList();
            assertThat(hour.path("scope").asString()).isEqualTo("FLEET");
            hour.propertyNames().stream().filter(column -> column.equals("sessions") || column.equals("active_tables")
                    || column.endsWith("_min")).forEach(column -> assertThat(hour.path(column).asDouble()).as(column)
                    .isCloseTo(itsTables.stream().mapToDouble(table -> table.path(column).asDouble()).sum(), within(0.002)));
            assertThat(hour.path("max_angle_deg").asDouble())
                    .isEqualTo(itsTables.stream().mapToDouble(table -> table.path("max_angle_deg").asDouble()).max().orElseThrow());
            // the mean angle divides the summed angle-seconds by the summed inverted time
            assertThat(hour.path("mean_angle_deg").asDouble()).isCloseTo(itsTables.stream()
                    .mapToDouble(table -> table.path("mean_angle_deg").asDouble() * table.path("inverted_min").asDouble()).sum()
                    / hour.path("inverted_min").asDouble(), within(0.01));
        }
    }

    @Test
    void theNdjsonExportHasOneObjectPerLineWithTheCsvColumns() throws Exception {
        HttpResponse<String> export = RunningAnalytics.request(analytics, FLEET + "/exports/usage?format=NDJSON&tables=true&granularity=HOUR&" + DAY);

        assertThat(export.headers().firstValue("Content-Type")).hasValue("application/x-ndjson");
        assertThat(export.headers().firstValue("Content-Disposition")).hasValueSatisfying(name ->
                assertThat(name).contains("tiltfleet_clinic-api_usage-hour_2026-11-20_2026-11-21.ndjson"));
        List<JsonNode> rows = export.body().lines().map(JSON::readTree).toList();
        assertThat(rows).extracting(row -> row.path("table_id").asString() + "@" + row.path("period_start").asString())
                .containsExactly("t-1@2026-11-20T10:00:00Z", "t-1@2026-11-20T11:00:00Z", "t-2@2026-11-20T11:00:00Z");
        assertThat(rows.get(2).path("inverted_min").decimalValue()).isEqualByComparingTo("2.5");
        assertThat(rows.get(2).path("band_60_75_min").decimalValue()).isEqualByComparingTo("2");
        assertThat(rows.get(2).path("scope").asString()).isEqualTo("TABLE");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            // path                                                                    | status | part of the problem body
            "/usage?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z                  | 400 | must be before",
            "/usage?granularity=WEEK                                                   | 400 | one of HOUR, DAY",
            "/usage?granularity=HOUR&from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z | 400 | granularity=DAY",
            "/usage?from=yesterday                                                     | 400 | such as 2026-11-25T10:00:00Z",
            "/summary?day=monday                                                       | 400 | such as 2026-11-25",
            "/sessions?size=0                                                          | 400 | size",
            "/sessions?endedBy=BORED                                                   | 400 | RETURNED_UPRIGHT",
            "/sessions?tableId=%7B%22$ne%22:null%7D                                    | 400 | tableId",
            "/exports/sessions?format=XLSX                                             | 400 | CSV, NDJSON",
            "/exports/sessions?to=1970-01-01T00:00:00Z                                 | 400 | must be before",
            "/exports/usage?minMaxAngleDeg=91&from=x                                   | 400 | from",
            "/sessions/t-1/s-1/soon/trace                                              | 400 | startEpochMs",
            "/sessions/t-1/s.1/1/trace                                                 | 400 | deviceSessionId",
            "/sessions/t-1/s-1/1/trace                                                 | 404 | no trace of session clinic-api/t-1/s-1/1",
            "/safety-report?from=2026-01-01&to=2026-12-01                              | 400 | longer than 92 days",
            "/safety-report?to=someday                                                 | 400 | to: 'someday' is neither"})
    void badRequestsGetAProblemBody(String path, int status, String detail) throws Exception {
        HttpResponse<String> response = RunningAnalytics.request(analytics, FLEET + path);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        assertThat(response.body()).contains("\"status\":" + status).contains(detail);
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            // caller's fleets (as the gateway names them) | path under /api/analytics/fleets/ | status
            "clinic-api                 | clinic-api/sessions               | 200",
            "other,clinic-api           | clinic-api/summary                | 200",
            "*                          | clinic-api/usage                  | 200",
            "other                      | clinic-api/sessions               | 403",   // another clinic's key
            "other                      | clinic-api/exports/sessions       | 403",
            "other                      | clinic-api/tables/t-1/usage       | 403",
            "other                      | clinic-api/summary                | 403",
            "other                      | %63linic-api/sessions             | 403",   // the fleet spelt with an encoded letter
            "other                      | clinic%2Dapi/exports/usage        | 403",
            "other                      | clinic-api;x=1/sessions           | 403",   // a path parameter after the fleet
            "''                         | clinic-api/sessions               | 403"})  // a credential of no fleet
    void aCallerSeesOnlyItsOwnFleetsHoweverThePathIsSpelt(String fleets, String path, int status) throws Exception {
        HttpResponse<String> response = RunningAnalytics.request(analytics, "/api/analytics/fleets/" + path,
                Map.of("X-TiltFleet-Fleets", fleets, "X-TiltFleet-Caller", "carl"));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 403) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
            assertThat(response.body()).contains("\"status\":403", "may not see fleet 'clinic-api'").doesNotContain("\"items\"", "\"periods\"");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"/api/analytics/fleets/clinic-api/sessions", "/api/analytics/fleets/clinic-api/exports/sessions",
            "/api/analytics/%66leets/clinic-api/summary"})
    void aCallWithoutTheGatewaysCallerHeadersIsRefused(String path) throws Exception {
        HttpResponse<String> response = RunningAnalytics.request(analytics, path, Map.of());

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        assertThat(response.body()).contains("\"status\":401", "calls must come through the gateway").doesNotContain("\"items\"", "\"periods\"");
        assertThat(response.headers().allValues("Content-Disposition")).isEmpty();
    }

    @Test
    void theLocalRunMayCallTheServiceWithoutCallerHeaders() {
        String sessions = LoopbackHttp.get(local.port(), FLEET + "/sessions?" + DAY);

        assertThat(JSON.readTree(sessions).path("totalItems").asInt()).isEqualTo(3);
    }

    @Test
    void aFleetIdThatIsNotAnIdIsRefused() throws Exception {
        HttpResponse<String> response = RunningAnalytics.request(analytics, "/api/analytics/fleets/..%2F..%2Fetc/exports/sessions");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.headers().allValues("Content-Disposition")).isEmpty();
    }
}
