package io.tiltfleet.notification;

import static io.tiltfleet.notification.RunningNotifications.EVERY_FLEET;
import static io.tiltfleet.notification.RunningNotifications.alert;
import static io.tiltfleet.notification.RunningNotifications.publish;
import static io.tiltfleet.notification.RunningNotifications.putPolicy;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.notification.acklinks.AckTokens;
import io.tiltfleet.notification.channels.Signature;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.bson.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.data.mongodb.core.ReactiveMongoTemplate;
import org.springframework.data.mongodb.core.query.Criteria;
import org.springframework.data.mongodb.core.query.Query;
import tools.jackson.databind.JsonNode;

/**
 * The service end to end on a real Kafka broker and the MongoDB stand-in: alert events in, webhooks, Slack, Teams
 * and e-mail (GreenMail) out to loopback receivers; tiers, cancellation, retries; ack links through a stub safety
 * service; the policy API's refusals and the caller scope.
 */
class NotificationServiceTest {

    static final int SMTP = Ports.free();
    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(new ServerSetup(SMTP, Ports.LOOPBACK, "smtp")).withPerMethodLifecycle(false);

    static String kafka;
    static MongoStandIn mongo;
    static Receivers receivers;
    static Receivers safety;
    static RunningService service;

    @BeforeAll
    static void start() {
        kafka = SharedBrokers.kafka().bootstrapServers();
        RunningNotifications.createAlertTopic(kafka);
        mongo = MongoStandIn.start(Ports.free());
        receivers = new Receivers().answer("/flaky", 500, 200).answer("/dead", -20_000);
        safety = new Receivers().answer("/api/alerts/a-acked-twice/acknowledge", 409);
        service = RunningNotifications.start(kafka, mongo.uri("notify"), "notification-test", "--spring.mail.port=" + SMTP,
                "--tiltfleet.notification.safety-uri=" + safety.url(""), "--tiltfleet.notification.min-remind-every=1s",
                "--tiltfleet.notification.purge.every=1s");
    }

    @AfterAll
    static void stop() {
        service.close();
        receivers.close();
        safety.close();
        mongo.close();
    }

    static String policy(String tiers, String remindEvery) {
        return """
                {"channels": [
                   {"id": "ops-hook", "kind": "WEBHOOK", "url": "%s", "secret": "0123456789abcdef-secret"},
                   {"id": "ops-slack", "kind": "SLACK", "url": "%s"},
                   {"id": "ops-teams", "kind": "TEAMS", "url": "%s"},
                   {"id": "flaky", "kind": "WEBHOOK", "url": "%s", "secret": "0123456789abcdef-secret"},
                   {"id": "dead", "kind": "WEBHOOK", "url": "%s", "secret": "0123456789abcdef-secret"},
                   {"id": "later", "kind": "WEBHOOK", "url": "%s", "secret": "0123456789abcdef-secret"},
                   {"id": "night-nurse", "kind": "EMAIL", "recipients": ["nurse@clinic.example"]}],
                 "rules": [{"types": ["OVER_ANGLE"], "severities": ["CRITICAL"], "tiers": %s%s}]}
                """.formatted(receivers.url("/hook"), receivers.url("/slack"), receivers.url("/teams"), receivers.url("/flaky"),
                receivers.url("/dead"), receivers.url("/later"), tiers, remindEvery == null ? "" : ", \"remindEvery\": \"" + remindEvery + "\"");
    }

    static void givenPolicy(String fleetId, String tiers) throws Exception {
        HttpResponse<String> put = putPolicy(service, fleetId, policy(tiers, null));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    static List<JsonNode> webhooks(String path, String alertId) {
        return receivers.at(path).stream().map(r -> RunningNotifications.JSON.readTree(r.body()))
                .filter(body -> body.path("alertId").asString().equals(alertId)).toList();
    }

    @Test
    void aRaisedAlertReachesTheWebhookSignedAndSlackTeamsAndEmail() throws Exception {
        givenPolicy("clinic-a", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\", \"ops-slack\", \"ops-teams\", \"night-nurse\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it

        publish(kafka, alert("a-all", "clinic-a", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));

        await().atMost(Duration.ofSeconds(30)).until(() -> !webhooks("/hook", "a-all").isEmpty() && MAIL.getReceivedMessages().length > 0
                && !receivers.at("/slack").isEmpty() && !receivers.at("/teams").isEmpty());
        Receivers.Received hook = receivers.at("/hook").stream().filter(r -> r.text().contains("a-all")).findFirst().orElseThrow();
        JsonNode body = RunningNotifications.JSON.readTree(hook.body());
        assertThat(hook.header(Signature.HEADER)).isEqualTo(Signature.of("0123456789abcdef-secret", hook.body()));
        assertThat(hook.header(Signature.IDEMPOTENCY_HEADER)).isEqualTo("a-all:1:ops-hook:0");
        assertThat(body.propertyNames()).containsExactlyInAnyOrder("idempotencyKey", "alertId", "fleetId", "tableId", "type", "severity",
                "state", "reason", "raisedAt", "tier", "sequence", "acknowledgeUrl", "sentAt", "location");
        assertThat(body.path("location").asString()).isEqualTo("Berlin-Mitte, Room 3, Bed 7");
        assertThat(body.path("idempotencyKey").asString()).isEqualTo("a-all:1:ops-hook:0");
        assertThat(body.path("severity").asString()).isEqualTo("CRITICAL");
        assertThat(body.path("raisedAt").asString()).isEqualTo(raised.toString());
        assertThat(body.path("acknowledgeUrl").asString()).startsWith("http://127.0.0.1:8080/api/notifications/ack/");

        JsonNode slack = RunningNotifications.JSON.readTree(receivers.at("/slack").get(0).body());
        assertThat(slack.path("text").asString()).contains("CRITICAL OVER_ANGLE: Berlin-Mitte, Room 3, Bed 7", "clinic-a", "t-1");
        assertThat(slack.path("blocks").toString()).contains("/api/notifications/ack/");
        JsonNode teams = RunningNotifications.JSON.readTree(receivers.at("/teams").get(0).body());
        assertThat(teams.path("@type").asString()).isEqualTo("MessageCard");
        assertThat(teams.path("potentialAction").path(0).path("@type").asString()).isEqualTo("OpenUri");
        assertThat(teams.path("potentialAction").path(0).path("targets").path(0).path("uri").asString()).contains("/api/notifications/ack/");

        MimeMessage mail = MAIL.getReceivedMessages()[0];
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("nurse@clinic.example");
        assertThat(mail.getSubject()).contains("CRITICAL", "OVER_ANGLE", "clinic-a", "t-1");
        assertThat(GreenMailUtil.getBody(mail)).contains("/api/notifications/ack/");
    }

    @Test
    void theSecondTierFollowsAfterItsDelayUnlessAcknowledgedInTime() throws Exception {
        givenPolicy("clinic-b", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}, {\"after\": \"PT3S\", \"channels\": [\"later\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it

        publish(kafka, alert("a-tier", "clinic-b", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised),
                alert("a-acked", "clinic-b", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised),
                alert("a-acked", "clinic-b", AlertChange.ACKNOWLEDGED, "CRITICAL", "ACTIVE_ACKNOWLEDGED", raised, raised.plusSeconds(1)),
                alert("a-cleared", "clinic-b", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised),
                alert("a-cleared", "clinic-b", AlertChange.CLEARED, "CRITICAL", "CLEARED_UNACKNOWLEDGED", raised, raised.plusSeconds(1)));

        await().atMost(Duration.ofSeconds(30)).until(() -> !webhooks("/later", "a-tier").isEmpty());
        Instant tier2 = Instant.parse(webhooks("/later", "a-tier").get(0).path("sentAt").asString());
        assertThat(tier2).isAfterOrEqualTo(raised.plusSeconds(3));
        assertThat(webhooks("/later", "a-tier").get(0).path("tier").asInt()).isEqualTo(2);
        // then: nothing more for the alerts acknowledged or cleared within the first 3 s
        // (their second tier was due with a-tier's, which has come)
        await().atMost(Duration.ofSeconds(5)).during(Duration.ofSeconds(2))
                .until(() -> webhooks("/later", "a-acked").isEmpty() && webhooks("/later", "a-cleared").isEmpty());
    }

    @Test
    void aReceiverAnswering500ThenOkGetsTheSameNotificationAgain() throws Exception {
        givenPolicy("clinic-c", "[{\"after\": \"PT0S\", \"channels\": [\"flaky\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it

        publish(kafka, alert("a-flaky", "clinic-c", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));

        await().atMost(Duration.ofSeconds(30)).until(() -> service.send("GET", "/api/notifications?fleetId=clinic-c&alertId=a-flaky",
                null, EVERY_FLEET).body().contains("DELIVERED"));
        assertThat(webhooks("/flaky", "a-flaky")).hasSize(2).extracting(body -> body.path("idempotencyKey").asString())
                .containsOnly("a-flaky:1:flaky:0");
        JsonNode attempts = RunningNotifications.JSON.readTree(service.send("GET", "/api/notifications?fleetId=clinic-c&alertId=a-flaky",
                null, EVERY_FLEET).body());
        assertThat(attempts.valueStream().map(a -> a.path("attempt").asInt() + ":" + a.path("outcome").asString()).toList())
                .containsExactly("2:DELIVERED", "1:RETRYING");   // newest first
        assertThat(service.get("/actuator/prometheus")).contains("tiltfleet_notification_deliveries_total{", "outcome=\"RETRYING\"",
                "tiltfleet_notification_pending", "tiltfleet_notification_escalation_lag_seconds_count");
    }

    @Test
    void anUnacknowledgedAlertIsRemindedUnderNewKeysUntilAcknowledged() throws Exception {
        HttpResponse<String> put = putPolicy(service, "clinic-g", policy("[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]", "PT2S"));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it

        publish(kafka, alert("a-remind", "clinic-g", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));

        await().atMost(Duration.ofSeconds(30)).until(() -> webhooks("/hook", "a-remind").size() >= 3);
        List<JsonNode> reminded = webhooks("/hook", "a-remind");
        assertThat(reminded.subList(0, 3)).extracting(body -> body.path("sequence").asInt()).containsExactly(0, 1, 2);
        assertThat(reminded.subList(0, 3)).extracting(body -> body.path("idempotencyKey").asString())
                .containsExactly("a-remind:1:ops-hook:0", "a-remind:1:ops-hook:1", "a-remind:1:ops-hook:2");
        Instant second = Instant.parse(reminded.get(1).path("sentAt").asString());
        assertThat(second).isAfterOrEqualTo(raised.plusSeconds(2));

        publish(kafka, alert("a-remind", "clinic-g", AlertChange.ACKNOWLEDGED, "CRITICAL", "ACTIVE_ACKNOWLEDGED", raised, Instant.now()));
        // once the acknowledgement is stored (a reminder already on its way may still arrive), none for two and a half reminder intervals
        AtomicInteger seen = new AtomicInteger(-1);
        await().atMost(Duration.ofSeconds(20)).during(Duration.ofSeconds(5))
                .until(() -> seen.getAndSet(webhooks("/hook", "a-remind").size()) == webhooks("/hook", "a-remind").size());
    }

    @Test
    void aDeadReceiverDoesNotDelayAnotherChannel() throws Exception {
        givenPolicy("clinic-d", "[{\"after\": \"PT0S\", \"channels\": [\"dead\", \"later\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it

        publish(kafka, alert("a-dead", "clinic-d", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));

        await().atMost(Duration.ofSeconds(30)).until(() -> !webhooks("/later", "a-dead").isEmpty());
        Instant live = Instant.parse(webhooks("/later", "a-dead").get(0).path("sentAt").asString());
        assertThat(Duration.between(raised, live)).isLessThan(Duration.ofSeconds(2).plusMillis(1500));   // not behind the 2 s send timeout
        await().atMost(Duration.ofSeconds(30)).until(() -> service.send("GET", "/api/notifications?alertId=a-dead&outcome=RETRYING",
                null, EVERY_FLEET).body().contains("a-dead:1:dead:0"));
    }

    @Test
    void anAckLinkAcknowledgesOnceThroughTheSafetyServiceAndOnlyOnPost() throws Exception {
        givenPolicy("clinic-e", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);   // as MongoDB keeps it
        publish(kafka, alert("a-ack", "clinic-e", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));
        await().atMost(Duration.ofSeconds(30)).until(() -> !webhooks("/hook", "a-ack").isEmpty());
        String link = webhooks("/hook", "a-ack").get(0).path("acknowledgeUrl").asString();
        String path = link.substring(link.indexOf("/api/"));

        HttpResponse<String> page = service.send("GET", path, null, Map.of());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("a-ack", "<form method=\"post\">");
        assertThat(safety.received).isEmpty();   // a GET (a link preview) acknowledges nothing

        HttpResponse<String> acked = service.send("POST", path, null, Map.of());
        assertThat(acked.statusCode()).isEqualTo(200);
        assertThat(acked.body()).contains("acknowledged by ops-hook");
        Receivers.Received call = safety.at("/api/alerts/a-ack/acknowledge").get(0);
        assertThat(RunningNotifications.JSON.readTree(call.body()).path("by").asString()).isEqualTo("ack-link:ops-hook");
        assertThat(call.header("X-TiltFleet-Caller")).isEqualTo("ack-link:ops-hook");
        assertThat(call.header("X-TiltFleet-Fleets")).isEqualTo("clinic-e");

        assertThat(service.send("POST", path, null, Map.of()).statusCode()).isEqualTo(410);   // replay
        String forged = path.replace(path.substring(path.length() - 6), "AAAAAA");
        assertThat(service.send("POST", forged, null, Map.of()).statusCode()).isEqualTo(400);
        String expired = new AckTokens(RunningNotifications.SECRET, Duration.ofSeconds(-1), Clock.systemUTC()).issue("a-ack", "clinic-e", "ops-hook");
        HttpResponse<String> late = service.send("POST", "/api/notifications/ack/" + expired, null, Map.of());
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.body()).contains("expired");
        assertThat(safety.at("/api/alerts/a-ack/acknowledge")).hasSize(1);
    }

    @Test
    void thePolicyIsShownWithoutSecretsAndAKeptIdKeepsItsSecret() throws Exception {
        givenPolicy("clinic-f", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]");
        String again = policy("[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]", "PT10M").replace(", \"secret\": \"0123456789abcdef-secret\"", "");

        HttpResponse<String> put = putPolicy(service, "clinic-f", again);
        HttpResponse<String> get = service.send("GET", "/api/fleets/clinic-f/notification-policies", null, EVERY_FLEET);

        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(get.body()).contains("\"secretSet\":true", "\"remindEvery\":\"PT10M\"").doesNotContain("0123456789abcdef-secret");
        assertThat(service.send("GET", "/api/fleets/nobody/notification-policies", null, EVERY_FLEET).statusCode()).isEqualTo(404);
    }

    @Test
    void aFleetsNotificationDataIsExportedWholeAndRemovedOnRequestButWhatItKeepsOfOpenAlertsStays() throws Exception {
        givenPolicy("clinic-gone", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]");
        givenPolicy("clinic-gone-2", "[{\"after\": \"PT0S\", \"channels\": [\"ops-hook\"]}]");
        Instant raised = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        SafetyAlertEvent closedRaised = alert("a-gone-closed", "clinic-gone", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised);
        publish(kafka, alert("a-gone-open", "clinic-gone", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised), closedRaised,
                alert("a-gone-2", "clinic-gone-2", AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised));
        Map<String, String> operator = Map.of("X-TiltFleet-Fleets", "clinic-gone", "X-TiltFleet-Caller", "olivia");
        // the attempts are recorded just after the receiver has them
        await().atMost(Duration.ofSeconds(30)).until(() -> RunningNotifications.JSON.readTree(service.send("GET",
                "/api/notifications?fleetId=clinic-gone", null, operator).body()).size() == 2);
        publish(kafka, alert("a-gone-closed", "clinic-gone", AlertChange.ACKNOWLEDGED, "CRITICAL", "CLEARED_ACKNOWLEDGED", raised,
                raised.plusSeconds(2)));
        ReactiveMongoTemplate store = service.bean(ReactiveMongoTemplate.class);
        await().atMost(Duration.ofSeconds(30)).until(() -> "CLEARED_ACKNOWLEDGED".equals(store.findById("a-gone-closed", Document.class,
                "notification_alert_state").map(state -> state.getString("state")).block()));

        HttpResponse<String> export = service.send("GET", "/api/fleets/clinic-gone/notification-data", null, operator);
        assertThat(export.statusCode()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition")).hasValue("attachment; filename=\"tiltfleet_clinic-gone_notification_data.ndjson\"");
        assertThat(export.body().lines().map(line -> RunningNotifications.JSON.readTree(line).path("collection").asString()))
                .containsExactly("notification_delivery", "notification_delivery", "scheduled_notification", "scheduled_notification",
                        "notification_alert_state", "notification_alert_state");
        assertThat(export.body()).doesNotContain("a-gone-2", "0123456789abcdef-secret");

        HttpResponse<String> removal = service.send("DELETE", "/api/fleets/clinic-gone/notification-data", null, operator);
        assertThat(removal.statusCode()).as(removal.body()).isEqualTo(200);
        assertThat(RunningNotifications.JSON.readTree(removal.body()).path("removed").properties().stream()
                .map(field -> field.getKey() + "=" + field.getValue().asLong()))
                .containsExactly("notification_delivery=2");
        assertThat(service.send("GET", "/api/notifications?fleetId=clinic-gone", null, operator).body()).isEqualTo("[]");
        assertThat(store.find(Query.query(Criteria.where("fleetId").in("clinic-gone", "clinic-gone-2")), Document.class, "notification_alert_state")
                .map(state -> state.getString("_id")).collectList().block()).containsExactlyInAnyOrder("a-gone-open", "a-gone-closed", "a-gone-2");
        assertThat(store.find(Query.query(Criteria.where("fleetId").is("clinic-gone").and("what").is("fleet-data")), Document.class, "audit")
                .map(entry -> entry.getString("by") + " " + entry.getString("reason")).collectList().block())
                .containsExactlyInAnyOrder("olivia the fleet's data exported", "olivia the fleet's data asked to be removed", "olivia the fleet's data removed");
        assertThat(service.send("DELETE", "/api/fleets/clinic-gone/notification-data", null, Map.of("X-TiltFleet-Fleets", "clinic-gone"))
                .statusCode()).as("a removal that names nobody").isEqualTo(401);
        assertThat(service.send("DELETE", "/api/fleets/clinic.gone/notification-data", null, EVERY_FLEET).statusCode())
                .as("a fleet id out of its pattern").isEqualTo(400);

        // And the closed alert's raise delivered again (offsets read anew) finds its planned notification and sends nothing twice
        publish(kafka, closedRaised);
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> webhooks("/hook", "a-gone-closed").size() == 1);
    }

    @Test
    void usedLinksAreRemovedOnceTheirLinkHasExpiredAndClosedAlertsOnceTheirEventsAreGone() {
        ReactiveMongoTemplate store = service.bean(ReactiveMongoTemplate.class);
        Instant now = Instant.now();
        store.insert(List.of(usedLink("nonce-expired", now.minus(Duration.ofHours(2)), now.minus(Duration.ofMinutes(10))),
                usedLink("nonce-live", now.minus(Duration.ofHours(2)), now.plus(Duration.ofHours(1))),
                // stored before the expiry was kept: by the link's life after its use
                usedLink("nonce-old-expired", now.minus(Duration.ofHours(25)), null),
                usedLink("nonce-old-live", now.minus(Duration.ofHours(23)), null)), "used_ack_token").collectList().block();
        store.insert(List.of(alertState("a-closed-long-ago", "CLEARED_ACKNOWLEDGED", now.minus(Duration.ofDays(91))),
                alertState("a-closed-lately", "CLEARED_ACKNOWLEDGED", now.minus(Duration.ofDays(89))),
                alertState("a-open-long", "ACTIVE_UNACKNOWLEDGED", now.minus(Duration.ofDays(200)))), "notification_alert_state").collectList().block();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(store.findAll(Document.class, "used_ack_token").map(used -> used.getString("_id")).filter(nonce -> nonce.startsWith("nonce-"))
                    .collectList().block()).containsExactlyInAnyOrder("nonce-live", "nonce-old-live");
            assertThat(store.find(Query.query(Criteria.where("fleetId").is("clinic-purge")), Document.class, "notification_alert_state")
                    .map(state -> state.getString("_id")).collectList().block()).containsExactlyInAnyOrder("a-closed-lately", "a-open-long");
        });
        assertThat(service.get("/actuator/prometheus")).contains("kind=\"used-ack-links\"", "kind=\"closed-alert-states\"");
    }

    private static Document usedLink(String nonce, Instant usedAt, Instant expiresAt) {
        Document used = new Document("_id", nonce).append("alertId", "a-x").append("recipient", "nurse@clinic.example").append("usedAt", Date.from(usedAt));
        return expiresAt == null ? used : used.append("expiresAt", Date.from(expiresAt));
    }

    private static Document alertState(String alertId, String state, Instant updatedAt) {
        return new Document("_id", alertId).append("fleetId", "clinic-purge").append("tableId", "t-1").append("type", "OVER_ANGLE")
                .append("severity", "CRITICAL").append("state", state).append("raisedAt", Date.from(updatedAt)).append("updatedAt", Date.from(updatedAt));
    }

    @Test
    void callsOutsideTheCallersFleetsAreRefused() throws Exception {
        Map<String, String> other = Map.of("X-TiltFleet-Fleets", "other", "X-TiltFleet-Caller", "carl");
        record Case(String name, String method, String path, Map<String, String> headers, int status) {
        }
        for (Case c : List.of(
                new Case("no-caller-get", "GET", "/api/fleets/clinic-a/notification-policies", Map.of(), 401),
                new Case("no-caller-list", "GET", "/api/notifications?fleetId=clinic-a", Map.of(), 401),
                new Case("other-fleet-get", "GET", "/api/fleets/clinic-a/notification-policies", other, 403),
                new Case("other-fleet-encoded", "GET", "/api/fleets/%63linic-a/notification-policies", other, 403),
                new Case("other-fleet-list", "GET", "/api/notifications?fleetId=clinic-a", other, 403),
                new Case("list-without-fleet", "GET", "/api/notifications", other, 403),
                new Case("other-fleet-data-export", "GET", "/api/fleets/clinic-a/notification-data", other, 403),
                new Case("other-fleet-data-removal", "DELETE", "/api/fleets/clinic-a/notification-data", other, 403),
                new Case("other-fleet-data-removal-encoded", "DELETE", "/api/fleets/clinic%2Da/notification-data", other, 403))) {
            HttpResponse<String> response = service.send(c.method(), c.path(), null, c.headers());
            System.out.println("ABUSE notification " + c.name() + " -> " + response.statusCode());
            assertThat(response.statusCode()).as(c.name()).isEqualTo(c.status());
            assertThat(response.body()).contains("\"status\":" + c.status());
        }
        HttpResponse<String> put = service.send("PUT", "/api/fleets/clinic-a/notification-policies", policy("[]", null),
                Map.of("X-TiltFleet-Fleets", "other", "X-TiltFleet-Caller", "carl", "Content-Type", "application/json"));
        System.out.println("ABUSE notification other-fleet-put -> " + put.statusCode());
        assertThat(put.statusCode()).isEqualTo(403);
    }
}
