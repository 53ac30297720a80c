package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;

/**
 * A fleet's settings and its tables' profiles through the API: refused requests name the field and leave
 * no trace, accepted ones are audited with who, when, before, after and why, and the trail can be read
 * and exported but not changed.
 */
class FleetSettingsApiTest {

    private static final String LONG_REASON = "x".repeat(501);

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

    @ParameterizedTest(name = "{0} {1} {2} -> {3}")
    @CsvSource(delimiter = '|', value = {
            // method | path | body | status | part of the problem body
            "PUT | /api/fleets/clinic-bad/settings | {}                                                   | 400 | settings are required",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxAngleDeg\":95}}                  | 400 | settings.maxAngleDeg",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxAngleDeg\":-1}}                  | 400 | settings.maxAngleDeg",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxAngleDeg\":\"steep\"}}           | 400 | maxAngleDeg",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxAngle\":45}}                     | 400 | maxAngle",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"silenceTimeout\":\"PT1S\"}}         | 400 | settings.silenceTimeout",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"silenceTimeout\":\"PT11M\"}}        | 400 | settings.silenceTimeout",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"silenceTimeout\":\"ten seconds\"}}  | 400 | silenceTimeout",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxSession\":\"PT3H\"}}             | 400 | settings.maxSession",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxSession\":\"PT0S\"}}             | 400 | settings.maxSession",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"maxSteepTime\":\"PT1S\"}}           | 400 | settings.maxSteepTime",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"steepAngleDeg\":91}}                | 400 | settings.steepAngleDeg",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"headDownAngleDeg\":50}}             | 400 | settings.headDownAngleDeg",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"rapidReturnDegPerS\":0}}            | 400 | settings.rapidReturnDegPerS",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"timeZone\":\"Mars/Olympus\"}}       | 400 | settings.timeZone",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{\"timeZone\":\"+05:30\"}}             | 400 | settings.timeZone",
            "PUT | /api/fleets/clinic-bad/settings | {\"settings\":{},\"reason\":\"" + "LONG" + "\"}      | 400 | reason",
            "PUT | /api/fleets/clinic-bad/settings | {not json                                             | 400 | ",
            "PUT | /api/fleets/bad%20fleet/settings | {\"settings\":{}}                                    | 400 | fleetId",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"contraindications\":[],\"reason\":\"LONG\"} | 400 | reason",
            "PUT | /api/fleet/clinic-bad/tables/t%2F1/profile | {\"contraindications\":[]}                  | 400 | ",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"maxAngleDeg\":75,\"maxAngleUntil\":\"IN_AN_HOUR\",\"contraindications\":[]} | 400 | needs a reason and an end",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"maxAngleDeg\":75,\"reason\":\"cleared\",\"contraindications\":[]} | 400 | needs a reason and an end",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"maxAngleDeg\":75,\"maxAngleUntil\":\"2099-01-01T00:00:00Z\",\"reason\":\"cleared\",\"contraindications\":[]} | 400 | at most a year",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"maxAngleDeg\":75,\"maxAngleUntil\":\"2020-01-01T00:00:00Z\",\"reason\":\"cleared\",\"contraindications\":[]} | 400 | maxAngleUntil",
            "PUT | /api/fleet/clinic-bad/tables/t-1/profile | {\"maxAngleUntil\":\"IN_AN_HOUR\",\"contraindications\":[]} | 400 | only for a limit",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"until\":\"2020-01-01T00:00:00Z\",\"reason\":\"belt\"} | 400 | until",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"until\":\"2099-01-01T00:00:00Z\",\"reason\":\"belt\"} | 400 | at most 30 days",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"until\":\"IN_AN_HOUR\"}                   | 400 | reason is required",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"untill\":\"IN_AN_HOUR\",\"reason\":\"belt\"} | 400 | until is required",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"until\":null,\"reason\":\"belt\"}       | 400 | until is required",
            "PUT | /api/fleet/clinic-bad/tables/t-1/maintenance | {\"until\":\"soon\",\"reason\":\"belt\"}  | 400 | until",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {}                                        | 400 | patientRef is required",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"Jane Doe\",\"contraindications\":[]} | 400 | patientRef",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\"}                | 400 | contraindications are required",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[\"FLU\"]} | 400 | contraindications",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[],\"prescription\":{\"minAngleDeg\":40,\"maxAngleDeg\":20,\"minutes\":3}} | 400 | minAngleDeg must not be above maxAngleDeg",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[],\"prescription\":{\"minAngleDeg\":20,\"maxAngleDeg\":95,\"minutes\":3}} | 400 | prescription.maxAngleDeg",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[],\"prescription\":{\"minAngleDeg\":20,\"maxAngleDeg\":40,\"minutes\":0}} | 400 | minutes must be from 0.5 to 60",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[],\"prescription\":{\"minAngleDeg\":20,\"minutes\":3}} | 400 | maxAngleDeg is required",
            "POST | /api/fleet/clinic-bad/tables/t-1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[],\"reason\":\"LONG\"} | 400 | reason",
            "POST | /api/fleet/clinic-bad/tables/t%2F1/check-in | {\"patientRef\":\"p-1\",\"contraindications\":[]} | 400 | ",
            "GET | /api/fleet/clinic-bad/tables/t-1/check-in     |                                       | 404 | has no check-in",
            "DELETE | /api/fleet/clinic-bad/tables/t-1/check-in  |                                       | 404 | has no check-in",
            "GET | /api/fleets/clinic-bad/audit?what=everything   |                                       | 400 | what",
            "GET | /api/fleets/clinic-bad/audit?size=0            |                                       | 400 | size",
            "GET | /api/fleets/clinic-bad/audit?tableId=%7B%22$ne%22:1%7D |                               | 400 | tableId",
            "GET | /api/fleets/clinic-bad/audit?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z |       | 400 | must be before",
            "GET | /api/fleets/clinic-bad/audit/export?format=xml |                                       | 400 | format"})
    void badRequestsGetAProblemBodyNamingTheFieldAndChangeNothing(String method, String path, String body, int status, String detail) throws Exception {
        RunningSafety.assertProblem(send(method, path, body == null ? null
                : body.replace("LONG", LONG_REASON).replace("IN_AN_HOUR", Instant.now().plusSeconds(3600).toString())), status, detail);
        assertThat(send("GET", "/api/fleets/clinic-bad/audit", null).body()).isEqualTo("[]");
        assertThat(send("GET", "/api/fleets/clinic-bad/settings", null).body()).contains("\"settings\":{\"maxAngleDeg\":null");
    }

    @Test
    void acceptedChangesAreAuditedWithWhoWhenBeforeAfterAndWhyAndTheTrailCannotBeChanged() throws Exception {
        Instant before = Instant.now();
        assertThat(send("PUT", "/api/fleets/clinic-audit/settings", "{\"settings\":{\"maxAngleDeg\":45,\"timeZone\":\"Europe/Berlin\"},"
                + "\"reason\":\"new tables\"}", "olivia").statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/api/fleets/clinic-audit/settings", "{\"settings\":{\"maxAngleDeg\":50}}", "oscar").statusCode()).isEqualTo(200);
        assertThat(send("PUT", "/api/fleet/clinic-audit/tables/t-3/profile", "{\"contraindications\":[\"PREGNANCY\"],\"reason\":\"patient 17\"}",
                "olivia").statusCode()).isEqualTo(200);

        JsonNode trail = SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-audit/audit", null).body());
        assertThat(trail).hasSize(3);
        JsonNode profile = trail.get(0);
        JsonNode second = trail.get(1);
        JsonNode first = trail.get(2);
        assertThat(profile.get("what").asText()).isEqualTo("profile");
        assertThat(profile.get("tableId").asText()).isEqualTo("t-3");
        assertThat(profile.get("by").asText()).isEqualTo("olivia");
        assertThat(profile.get("reason").asText()).isEqualTo("patient 17");
        assertThat(profile.get("before").isNull()).isTrue();
        assertThat(profile.get("after").get("contraindications").toString()).isEqualTo("[\"PREGNANCY\"]");
        assertThat(first.get("by").asText()).isEqualTo("olivia");
        assertThat(first.get("before").isNull()).isTrue();
        assertThat(first.get("after").get("timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(Instant.parse(first.get("at").asText())).isAfterOrEqualTo(before.minusSeconds(1));
        assertThat(second.get("by").asText()).isEqualTo("oscar");
        assertThat(second.get("before").get("maxAngleDeg").asDouble()).isEqualTo(45.0);
        assertThat(second.get("after").get("maxAngleDeg").asDouble()).isEqualTo(50.0);
        assertThat(second.get("after").get("timeZone").isNull()).isTrue();

        // filters, and the exports, oldest first
        assertThat(SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-audit/audit?what=settings&by=oscar", null).body())).hasSize(1);
        List<String> csv = send("GET", "/api/fleets/clinic-audit/audit/export?format=csv", null).body().lines().toList();
        assertThat(csv).hasSize(4);
        assertThat(csv.get(0)).isEqualTo("at,by,what,tableId,reason,before,after,id");
        assertThat(csv.get(1)).contains(",olivia,settings,,new tables,,").contains("\"\"timeZone\"\":\"\"Europe/Berlin\"\"");
        assertThat(csv.get(3)).contains(",olivia,profile,t-3,patient 17,,");
        HttpResponse<String> ndjson = send("GET", "/api/fleets/clinic-audit/audit/export?format=ndjson&what=profile", null);
        assertThat(ndjson.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("application/x-ndjson"));
        assertThat(ndjson.body().lines()).singleElement().satisfies(line -> assertThat(line).contains("\"tableId\":\"t-3\""));

        // and nobody changes the trail through the API
        String id = first.get("id").asText();
        for (String method : List.of("PUT", "DELETE", "POST", "PATCH")) {
            assertThat(send(method, "/api/fleets/clinic-audit/audit/" + id, "{}").statusCode()).as(method).isIn(404, 405);
            assertThat(send(method, "/api/fleets/clinic-audit/audit", "{}").statusCode()).as(method).isIn(404, 405);
        }
        assertThat(SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-audit/audit", null).body())).isEqualTo(trail);
    }

    @Test
    void aTableIsPutUnderMaintenanceListedWhileItLastsAndTakenOutAgainAllAudited() throws Exception {
        String until = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS).toString();
        HttpResponse<String> begun = send("PUT", "/api/fleet/clinic-maint/tables/t-2/maintenance",
                "{\"until\":\"" + until + "\",\"reason\":\"new ankle belt\"}", "oscar");

        assertThat(begun.statusCode()).as(begun.body()).isEqualTo(200);
        assertThat(send("GET", "/api/fleet/clinic-maint/maintenance", null).body()).contains("\"tableId\":\"t-2\"", "\"until\":\"" + until + "\"");

        assertThat(send("DELETE", "/api/fleet/clinic-maint/tables/t-2/maintenance", null, "oscar").statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/fleet/clinic-maint/maintenance", null).body()).isEqualTo("[]");
        JsonNode trail = SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-maint/audit?what=maintenance", null).body());
        assertThat(trail).hasSize(2);
        assertThat(trail.get(1).get("reason").asText()).isEqualTo("new ankle belt");
        assertThat(trail.get(0).get("before").get("until").asText()).isEqualTo(until);
        assertThat(trail.get(0).get("after").get("until").isNull()).isTrue();
    }

    @Test
    void aPatientIsCheckedInForTheNextSessionAndTheCheckInWithdrawnAllAudited() throws Exception {
        HttpResponse<String> checkedIn = send("POST", "/api/fleet/clinic-check-in/tables/t-4/check-in", "{\"patientRef\":\"p-881\","
                + "\"contraindications\":[\"GLAUCOMA\"],\"prescription\":{\"minAngleDeg\":20,\"maxAngleDeg\":40,\"minutes\":3}}", "olivia");

        assertThat(checkedIn.statusCode()).as(checkedIn.body()).isEqualTo(201);
        JsonNode waiting = SafetyRestartTest.JSON.readTree(send("GET", "/api/fleet/clinic-check-in/tables/t-4/check-in", null).body());
        assertThat(waiting.get("status").asText()).isEqualTo("WAITING");
        assertThat(waiting.get("checkIn").get("patientRef").asText()).isEqualTo("p-881");
        assertThat(waiting.get("checkIn").get("prescription").get("maxAngleDeg").asDouble()).isEqualTo(40.0);
        assertThat(Instant.parse(waiting.get("checkIn").get("startBy").asText())).isAfter(Instant.now().plusSeconds(7000));

        HttpResponse<String> withdrawn = send("DELETE", "/api/fleet/clinic-check-in/tables/t-4/check-in", null, "oscar");
        assertThat(withdrawn.statusCode()).as(withdrawn.body()).isEqualTo(200);
        assertThat(send("GET", "/api/fleet/clinic-check-in/tables/t-4/check-in", null).body()).contains("\"status\":\"WITHDRAWN\"");
        RunningSafety.assertProblem(send("DELETE", "/api/fleet/clinic-check-in/tables/t-4/check-in", null), 409, "withdrawn already");

        JsonNode trail = SafetyRestartTest.JSON.readTree(send("GET", "/api/fleets/clinic-check-in/audit?what=check-in", null).body());
        assertThat(trail).hasSize(2);
        assertThat(trail.get(1).get("by").asText()).isEqualTo("olivia");
        assertThat(trail.get(1).get("after").get("contraindications").toString()).isEqualTo("[\"GLAUCOMA\"]");
        assertThat(trail.get(0).get("by").asText()).isEqualTo("oscar");
        assertThat(trail.get(0).get("before").get("cancelledAt").isNull()).isTrue();
        assertThat(trail.get(0).get("after").get("cancelledAt").isNull()).isFalse();
    }

    @Test
    void aChangeKafkaRefusesIsAnsweredUnavailableAndChangesNothing() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedBrokers.kafka().bootstrapServers()))) {
            RunningSafety.refuseRecordsOf(admin, Topics.FLEET_CONFIG, true);
            HttpResponse<String> refused;
            try {
                refused = send("PUT", "/api/fleets/clinic-refused/settings", "{\"settings\":{\"maxAngleDeg\":30}}");
            } finally {
                RunningSafety.refuseRecordsOf(admin, Topics.FLEET_CONFIG, false);
            }

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).contains("Kafka did not confirm the change", "read the value or the audit trail back");
            assertThat(send("GET", "/api/fleets/clinic-refused/settings", null).body()).contains("\"effective\":{\"maxAngleDeg\":60.0");
            assertThat(send("GET", "/api/fleets/clinic-refused/audit", null).body()).isEqualTo("[]");
        }
    }

    @Test
    void aChangeInTheLogThatCannotBeReadOrBreaksTheBoundsIsSkippedAndTheChangesAfterItApply() throws Exception {
        String fleet = "clinic-log";
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                SharedBrokers.kafka().bootstrapServers(), ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            double skippedBefore = skipped();
            // Given, written straight into the log: garbage, a null value, a setting out of bounds, one a newer version added, and a
            // maintenance naming another fleet than its change
            producer.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, "{not json")).get();
            producer.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, null)).get();
            producer.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, change("c-bounds", fleet, "{\"maxAngleDeg\":120}"))).get();
            producer.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet, change("c-newer", fleet, "{\"maxAngleDeg\":45,\"glowColour\":\"red\"}")))
                    .get();
            producer.send(new ProducerRecord<>(Topics.FLEET_CONFIG, fleet + "/t-1/maintenance", "{\"id\":\"c-other\",\"kind\":\"MAINTENANCE\","
                    + "\"fleetId\":\"" + fleet + "\",\"tableId\":\"t-1\",\"maintenance\":{\"fleetId\":\"elsewhere\",\"tableId\":\"t-1\","
                    + "\"until\":\"2099-01-01T00:00:00Z\"},\"by\":\"someone\",\"at\":\"2026-12-03T10:00:00Z\"}")).get();

            // When an operator changes another setting through the API
            HttpResponse<String> put = send("PUT", "/api/fleets/" + fleet + "-next/settings", "{\"settings\":{\"maxAngleDeg\":35}}");

            // Then the log was not stuck: that change and the newer version's apply, the four others are skipped and counted
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(send("GET", "/api/fleets/" + fleet + "/settings", null).body()).contains("\"effective\":{\"maxAngleDeg\":45.0");
            assertThat(send("GET", "/api/fleet/elsewhere/maintenance", null).body()).isEqualTo("[]");
            assertThat(skipped() - skippedBefore).isEqualTo(4);
        }
    }

    private static String change(String id, String fleet, String settings) {
        return "{\"id\":\"" + id + "\",\"kind\":\"SETTINGS\",\"fleetId\":\"" + fleet + "\",\"settings\":" + settings
                + ",\"by\":\"someone\",\"at\":\"2026-12-03T10:00:00Z\"}";
    }

    private static double skipped() {
        return safety.bean(MeterRegistry.class).counter("tiltfleet.safety.config.changes.skipped").count();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, "api-test");
    }

    private static HttpResponse<String> send(String method, String path, String body, String caller) throws Exception {
        return RunningSafety.send(safety, method, path, body, Map.of("X-TiltFleet-Fleets", "*", "X-TiltFleet-Caller", caller));
    }
}
