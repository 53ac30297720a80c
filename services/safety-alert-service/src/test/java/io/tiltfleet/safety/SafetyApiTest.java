package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.safety.alerts.Alert;
import io.tiltfleet.safety.alerts.AlertState;
import io.tiltfleet.safety.alerts.AlertStore;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Bad requests get a 4xx with an RFC 9457 problem body; profiles round-trip. */
class SafetyApiTest {

    static MongoStandIn mongo;
    static RunningService safety;

    @BeforeAll
    static void start() {
        mongo = MongoStandIn.start(Ports.free());
        safety = RunningSafety.startBehindGateway(SharedBrokers.kafka().bootstrapServers(), mongo.uri("tiltfleet"));
    }

    @AfterAll
    static void stop() {
        safety.close();
        mongo.close();
    }

    @ParameterizedTest(name = "{0} {1} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // method | path | body | status | part of the problem body
            "GET  | /api/alerts?state=SLEEPING                              |                                   | 400 | state",
            "GET  | /api/alerts?fleetId=%7B%22$ne%22:null%7D                |                                   | 400 | fleetId",
            "GET  | /api/alerts?size=5000                                   |                                   | 400 | size",
            "GET  | /api/alerts?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z |                             | 400 | must be before",
            "GET  | /api/alerts?from=yesterday                              |                                   | 400 | from",
            "GET  | /api/alerts/no-such-alert                               |                                   | 404 | no alert no-such-alert",
            "POST | /api/alerts/no-such-alert/acknowledge                   | {\"by\":\"olivia\"}                | 404 | no alert",
            "POST | /api/alerts/any/acknowledge                             | {}                                | 400 | by",
            "POST | /api/alerts/any/acknowledge                             | {not json                         | 400 | ",
            "GET  | /api/fleets/clinic-export/alerts/export?tz=Mars/Olympus  |                                   | 400 | tz: 'Mars/Olympus'",
            "GET  | /api/fleets/clinic-export/alerts/export?format=XLSX     |                                   | 400 | CSV, NDJSON",
            "GET  | /api/fleets/clinic-export/alerts/export?from=soon        |                                   | 400 | from: 'soon' is neither",
            "GET  | /api/fleets/clinic-export/alerts/export?to=%2B999999999-12-31 |                              | 400 | to: '+999999999-12-31' is not between",
            "GET  | /api/fleets/clinic-export/alerts/export?type=FIRE        |                                   | 400 | OVER_ANGLE",
            "PUT  | /api/fleet/clinic-1/tables/t-1/profile                  | {\"maxAngleDeg\":120}              | 400 | maxAngleDeg",
            "PUT  | /api/fleet/clinic-1/tables/t-1/profile                  | {\"contraindications\":[\"FLU\"]}  | 400 | ",
            "PUT  | /api/fleet/clinic-1/tables/t-1/profile                  | {\"maxAngleDeg\":90}               | 400 | contraindications are required",
            "GET  | /api/fleet/bad%20fleet/tables                           |                                   | 400 | fleetId"})
    void badRequestsGetAProblemBody(String method, String path, String body, int status, String detail) throws Exception {
        RunningSafety.assertProblem(send(method, path, body), status, detail);
    }

    @Test
    void profileIsStoredAndReadBack() throws Exception {
        String until = Instant.now().plusSeconds(86_400).truncatedTo(ChronoUnit.SECONDS).toString();
        HttpResponse<String> put = send("PUT", "/api/fleet/clinic-1/tables/t-9/profile", "{\"maxAngleDeg\":90,\"maxAngleUntil\":\"" + until
                + "\",\"contraindications\":[\"GLAUCOMA\"],\"reason\":\"cleared by Dr Ruiz\"}");
        HttpResponse<String> get = send("GET", "/api/fleet/clinic-1/tables/t-9/profile", null);

        assertThat(put.statusCode()).isEqualTo(200);
        assertThat(get.body()).contains("\"maxAngleDeg\":90.0", "\"maxAngleUntil\":\"" + until + "\"", "\"contraindications\":[\"GLAUCOMA\"]",
                "\"tableId\":\"t-9\"");
    }

    @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // method | path                                   | caller's fleets | status: the service keeps the fleet scope itself
            "GET  | /api/fleet/clinic-1/tables                  |                 | 401",   // no caller: not through the gateway
            "GET  | /api/alerts?fleetId=clinic-1                |                 | 401",
            "POST | /api/alerts/a-1/acknowledge                 | *,no-caller     | 401",   // fleets without the caller's name
            "GET  | /api/fleet/clinic-2/tables                  | clinic-1        | 403",
            "GET  | /api/fleet/%63linic-2/tables                | clinic-1        | 403",   // the fleet as the controllers decode it
            "GET  | /api/fleet/clinic-2/stream                  | clinic-1        | 403",
            "PUT  | /api/fleet/clinic-2/tables/t-1/profile      | clinic-1        | 403",
            "GET  | /api/alerts                                 | clinic-1        | 403",   // a fleet-limited caller names its fleet
            "GET  | /api/alerts?fleetId=clinic-2                | clinic-1        | 403",
            "GET  | /api/fleet/clinic-1/tables                  | clinic-1        | 200",
            "GET  | /api/alerts?fleetId=clinic-1                | clinic-1,x      | 200",
            "GET  | /api/alerts                                 | *               | 200"})
    void callsOutsideTheCallersFleetsAreRefusedByTheServiceItself(String method, String path, String fleets, int status) throws Exception {
        String body = method.equals("PUT") ? "{\"contraindications\":[]}" : method.equals("POST") ? "{\"by\":\"olivia\"}" : null;
        Map<String, String> headers = fleets == null ? Map.of()
                : fleets.endsWith(",no-caller") ? Map.of("X-TiltFleet-Fleets", fleets.substring(0, fleets.indexOf(',')))
                : Map.of("X-TiltFleet-Fleets", fleets, "X-TiltFleet-Caller", "carl");
        HttpResponse<String> response = RunningSafety.send(safety, method, path, body, headers);

        assertThat(response.statusCode()).isEqualTo(status);
        if (status >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/problem+json"));
        }
    }

    @Test
    void anAcknowledgementIsRecordedInTheAuditTrailUnderTheCallersName() throws Exception {
        AlertSignal raised = new AlertSignal("clinic-ack", "t-4", AlertType.LOCK_OPEN_WHILE_INVERTED, AlertChange.RAISED, Severity.CRITICAL,
                "ankle lock open at 40.0 degrees head-down", null, Instant.now().minusSeconds(5));
        safety.bean(ReactiveMongoTemplate.class).insert(Alert.raise("a-ack-audit", raised)).block();

        HttpResponse<String> acknowledged = RunningSafety.send(safety, "POST", "/api/alerts/a-ack-audit/acknowledge", "{\"by\":\"someone-else\"}",
                Map.of("X-TiltFleet-Fleets", "clinic-ack", "X-TiltFleet-Caller", "olivia"));

        assertThat(acknowledged.statusCode()).as(acknowledged.body()).isEqualTo(200);
        JsonNode trail = SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-ack/audit?what=acknowledgement", null).body());
        assertThat(trail).hasSize(1);
        assertThat(trail.get(0).get("by").asText()).isEqualTo("olivia");
        assertThat(trail.get(0).get("tableId").asText()).isEqualTo("t-4");
        assertThat(trail.get(0).get("before").get("state").asText()).isEqualTo("ACTIVE_UNACKNOWLEDGED");
        assertThat(trail.get(0).get("after").get("state").asText()).isEqualTo("ACTIVE_ACKNOWLEDGED");
    }

    @Test
    void theAlertExportGivesEachAlertWithHowSoonItWasAcknowledgedAndCleared() throws Exception {
        ReactiveMongoTemplate store = safety.bean(ReactiveMongoTemplate.class);
        AlertSignal raised = new AlertSignal("clinic-export", "t-1", AlertType.OVER_ANGLE, AlertChange.RAISED, Severity.CRITICAL,
                "angle 75.0 degrees, the limit is 60", null, Instant.parse("2026-11-25T10:00:00Z"));
        AlertSignal cleared = new AlertSignal("clinic-export", "t-1", AlertType.OVER_ANGLE, AlertChange.CLEARED, Severity.CRITICAL,
                "back below the limit", null, Instant.parse("2026-11-25T10:01:00Z"));
        AlertSignal silent = new AlertSignal("clinic-export", "t-2", AlertType.SILENT_WHILE_INVERTED, AlertChange.RAISED, Severity.CRITICAL,
                "no reading for 10 s", null, Instant.parse("2026-11-25T10:05:00Z"));
        store.insert(Alert.raise("a-export-1", raised).apply(cleared).acknowledge("=HYPERLINK(\"x\")", Instant.parse("2026-11-25T10:02:30Z"))).block();
        store.insert(Alert.raise("a-export-2", silent)).block();

        HttpResponse<String> csv = send("GET", "/api/fleets/clinic-export/alerts/export?from=2026-11-25&to=2026-11-26", null);
        HttpResponse<String> ndjson = send("GET", "/api/fleets/clinic-export/alerts/export?format=NDJSON&tz=Asia/Kolkata", null);

        assertThat(csv.statusCode()).as(csv.body()).isEqualTo(200);
        assertThat(csv.headers().firstValue("Content-Disposition")).hasValueSatisfying(name ->
                assertThat(name).contains("tiltfleet_clinic-export_alerts_2026-11-25_2026-11-26.csv"));
        List<String> lines = csv.body().lines().toList();
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).isEqualTo("alert_id,fleet_id,table_id,location,type,severity,state,reason,raised_at,raised_at_local,"
                + "acknowledged_at,acknowledged_by,time_to_acknowledge_s,cleared_at,time_to_clear_s");
        assertThat(lines.get(1)).startsWith("a-export-1,clinic-export,t-1,,OVER_ANGLE,CRITICAL,CLEARED_ACKNOWLEDGED,")
                .endsWith(",2026-11-25T10:00:00Z,2026-11-25T10:00:00Z,2026-11-25T10:02:30Z,\"'=HYPERLINK(\"\"x\"\")\",150,2026-11-25T10:01:00Z,60");
        assertThat(lines.get(2)).startsWith("a-export-2,").endsWith(",2026-11-25T10:05:00Z,2026-11-25T10:05:00Z,,,,,");
        List<JsonNode> rows = ndjson.body().lines().map(SafetyRestartTest.JSON::readTree).toList();
        assertThat(rows).extracting(row -> row.get("raised_at_local").asText()).containsExactly("2026-11-25T15:30:00+05:30",
                "2026-11-25T15:35:00+05:30");
        assertThat(rows.get(0).get("time_to_acknowledge_s").decimalValue()).isEqualByComparingTo("150");
        assertThat(rows.get(1).get("time_to_clear_s").isNull()).isTrue();
        assertThat(rows.get(0).get("acknowledged_by").asText()).isEqualTo("=HYPERLINK(\"x\")");   // as typed: NDJSON goes to programs
    }

    @Test
    void theStoreItselfRefusesASecondOpenAlertOfOneTableAndType() {
        ReactiveMongoTemplate mongo = safety.bean(ReactiveMongoTemplate.class);
        AlertSignal raised = new AlertSignal("clinic-unique", "t-1", AlertType.OVER_ANGLE, AlertChange.RAISED, Severity.WARNING,
                "angle 70.0 degrees above the table's limit", null, Instant.parse("2026-11-25T10:00:00Z"));
        AlertSignal cleared = new AlertSignal("clinic-unique", "t-1", AlertType.OVER_ANGLE, AlertChange.CLEARED, Severity.WARNING,
                "back below the limit", null, Instant.parse("2026-11-25T10:01:00Z"));
        mongo.insert(Alert.raise("a-open", raised)).block();

        // a closed alert of the same table and type may sit beside the open one; a second open one may not
        mongo.insert(Alert.raise("a-closed", raised).apply(cleared).acknowledge("olivia", Instant.parse("2026-11-25T10:02:00Z"))).block();
        assertThatThrownBy(() -> mongo.insert(Alert.raise("a-second-open", raised)).block()).isInstanceOf(DuplicateKeyException.class);
    }

    @Test
    void raisesGoInOneInsertAndOneTheOpenSlotRefusesReopensTheTablesClearedUnacknowledgedAlert() {
        AlertStore store = safety.bean(AlertStore.class);
        Alert first = store.raiseAll(List.of(overAngle("t-1", AlertChange.RAISED, Severity.WARNING, 0)), List.of("a-first")).get(0).block();
        store.apply(overAngle("t-1", AlertChange.CLEARED, Severity.WARNING, 1)).block();

        // t-1's alert is cleared but unacknowledged, so still open: the insert refuses its raise, which reopens it
        List<Alert> raised = store.raiseAll(List.of(overAngle("t-1", AlertChange.RAISED, Severity.CRITICAL, 2),
                        overAngle("t-2", AlertChange.RAISED, Severity.WARNING, 2), overAngle("t-3", AlertChange.RAISED, Severity.WARNING, 2)),
                List.of("a-reopening", "a-t2", "a-t3")).stream().map(Mono::block).toList();

        assertThat(raised).extracting(Alert::id, Alert::state, Alert::severity).containsExactly(
                tuple("a-first", AlertState.ACTIVE_UNACKNOWLEDGED, Severity.CRITICAL), tuple("a-t2", AlertState.ACTIVE_UNACKNOWLEDGED, Severity.WARNING),
                tuple("a-t3", AlertState.ACTIVE_UNACKNOWLEDGED, Severity.WARNING));
        assertThat(storedSlots()).containsExactlyInAnyOrder("a-first open", "a-t2 open", "a-t3 open");

        // a raise tried again after its answer was lost finds its own alert, and changes nothing
        Alert again = store.raiseAll(List.of(overAngle("t-2", AlertChange.RAISED, Severity.WARNING, 2)), List.of("a-t2")).get(0).block();
        assertThat(again).isEqualTo(raised.get(1));

        // once t-1's alert is closed, its next raise is a new alert beside it
        store.apply(overAngle("t-1", AlertChange.CLEARED, Severity.CRITICAL, 3)).block();
        store.acknowledge(first.id(), "olivia", Instant.parse("2026-11-25T10:04:00Z")).block();
        store.raiseAll(List.of(overAngle("t-1", AlertChange.RAISED, Severity.WARNING, 5)), List.of("a-next")).get(0).block();
        assertThat(storedSlots()).containsExactlyInAnyOrder("a-first a-first", "a-next open", "a-t2 open", "a-t3 open");
    }

    /** Each stored alert of the test's fleet with its open slot: "open", or its own id once closed. */
    private static List<String> storedSlots() {
        return safety.bean(ReactiveMongoTemplate.class).find(Query.query(Criteria.where("fleetId").is("clinic-reopen")), Document.class, "alert")
                .map(document -> document.getString("_id") + " " + document.getString("openSlot")).collectList().block();
    }

    private static AlertSignal overAngle(String tableId, AlertChange change, Severity severity, int minute) {
        return new AlertSignal("clinic-reopen", tableId, AlertType.OVER_ANGLE, change, severity, "angle against the table's limit", null,
                Instant.parse("2026-11-25T10:00:00Z").plusSeconds(60L * minute));
    }

    /** As the gateway calls it: on behalf of a credential that sees every fleet. */
    @Test
    void aStreamResumedWithLastEventIdFirstReplaysTheAlertsChangedSinceFromTheStore() {
        Instant raised = Instant.now().minusSeconds(30);
        AlertSignal signal = new AlertSignal("clinic-resume", "t-1", AlertType.SILENT_WHILE_INVERTED, AlertChange.RAISED, Severity.CRITICAL,
                "no reading for 10 s while the user was at 70.0 degrees head-down", null, raised);
        safety.bean(ReactiveMongoTemplate.class).insert(Alert.raise("a-missed", signal)).block();

        // a client whose last alert event came 40 s ago reconnects: the alert raised meanwhile comes first, with its id
        ServerSentEvent<String> first = WebClient.create("http://127.0.0.1:" + safety.port()).get().uri("/api/fleet/clinic-resume/stream")
                .header("Last-Event-ID", raised.minusSeconds(10).toEpochMilli() + "-a-seen-before")
                .header("X-TiltFleet-Fleets", "*").header("X-TiltFleet-Caller", "api-test").retrieve()
                .bodyToFlux(new ParameterizedTypeReference<ServerSentEvent<String>>() { })
                .filter(event -> "alert".equals(event.event())).blockFirst(Duration.ofSeconds(15));

        assertThat(first).isNotNull();
        assertThat(first.id()).isEqualTo(raised.toEpochMilli() + "-a-missed");
        assertThat(first.data()).contains("\"alertId\":\"a-missed\"", "\"state\":\"ACTIVE_UNACKNOWLEDGED\"");
    }

    @Test
    void aLastEventIdThisServiceNeverGaveIsRefused() throws Exception {
        HttpResponse<String> response = RunningSafety.send(safety, "GET", "/api/fleet/clinic-resume/stream", null,
                Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "api-test", "Last-Event-ID", "yesterday"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Last-Event-ID");
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return RunningSafety.send(safety, method, path, body, Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", "api-test"));
    }
}
