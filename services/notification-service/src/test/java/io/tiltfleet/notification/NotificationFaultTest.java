package io.tiltfleet.notification;

import static io.tiltfleet.notification.RunningNotifications.EVERY_FLEET;
import static io.tiltfleet.notification.RunningNotifications.alert;
import static io.tiltfleet.notification.RunningNotifications.publish;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The service under faults, each ending in a count of the notifications owed to webhook receivers for 10 alerts
 * (30 in a burst), each with a first tier at once and a second a few seconds later: the instance killed with
 * SIGKILL mid-escalation, the receiver refusing connections for a minute, MongoDB answering slowly. Nothing may be
 * lost, and whatever comes twice comes under the key of its first delivery.
 */
class NotificationFaultTest {

    static final int ALERTS = 10;
    static final String SECRET = "0123456789abcdef-secret";

    static String kafka;

    @BeforeAll
    static void broker() {
        kafka = SharedBrokers.kafka().bootstrapServers();
        RunningNotifications.createAlertTopic(kafka);
    }

    static String twoTierPolicy(Receivers receivers, Duration secondAfter) {
        return """
                {"channels": [
                   {"id": "first", "kind": "WEBHOOK", "url": "%s", "secret": "%s"},
                   {"id": "second", "kind": "WEBHOOK", "url": "%s", "secret": "%s"}],
                 "rules": [{"tiers": [{"after": "PT0S", "channels": ["first"]}, {"after": "%s", "channels": ["second"]}]}]}
                """.formatted(receivers.url("/first"), SECRET, receivers.url("/second"), SECRET, secondAfter);
    }

    /**
     * Alert i raised {@code spread} x i before now, so that the second tiers fall due one after the other; stamped
     * to the microsecond, as the safety service's clock does.
     */
    static SafetyAlertEvent[] raise(String fleetId, int alerts, Duration spread) {
        Instant now = Instant.now();
        return IntStream.range(0, alerts).mapToObj(i -> {
            Instant raised = now.minus(spread.multipliedBy(i));
            return alert(fleetId + "-" + i, fleetId, AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED", raised, raised);
        }).toArray(SafetyAlertEvent[]::new);
    }

    static Set<String> dueKeys(String fleetId, int alerts) {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < alerts; i++) {
            keys.add(fleetId + "-" + i + ":1:first:0");
            keys.add(fleetId + "-" + i + ":2:second:0");
        }
        return keys;
    }

    static boolean allReceived(Receivers receivers, Set<String> due) {
        return receivers.received.stream().map(r -> r.header("X-TiltFleet-Idempotency-Key")).toList().containsAll(due);
    }

    /** Waits for every due notification, or until {@code timeout}: either way the ledger then counts, and reports what is lost. */
    static void awaitAllReceived(Receivers receivers, Set<String> due, Duration timeout) {
        try {
            await().atMost(timeout).pollInterval(Duration.ofMillis(200)).until(() -> allReceived(receivers, due));
        } catch (ConditionTimeoutException countedAsLost) {
            // the ledger names what never came
        }
    }

    /** Until nothing more has arrived for 2 s: a repeat still on its way is counted too. */
    static void awaitNoMoreArriving(Receivers receivers) {
        AtomicInteger seen = new AtomicInteger(-1);
        await().atMost(Duration.ofSeconds(30)).during(Duration.ofSeconds(2)).until(() -> seen.getAndSet(receivers.received.size()) == receivers.received.size());
    }

    @Test
    void killedWithSigkillMidEscalationTheSuccessorDeliversEveryTierOfEveryAlert() throws Exception {
        String fleet = "fault-kill";
        Path logs = SharedBrokers.scratchDirectory("notification-kill");
        // every send takes 1.5 s, so that the kill finds sends in flight, received but not yet marked delivered
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             Receivers receivers = new Receivers().answer("/first", -1_500).answer("/second", -1_500)) {
            int firstPort = Ports.free();
            ManagedProcess first = startProcess(mongo, firstPort, logs.resolve("first.log"));
            try {
                HttpResponse<String> put = LoopbackHttp.send(firstPort, "PUT", "/api/fleets/" + fleet + "/notification-policies",
                        twoTierPolicy(receivers, Duration.ofSeconds(4)), EVERY_FLEET);
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

                // Given 10 alerts whose first tiers go out at once and whose second tiers fall due over 2.7 s
                publish(kafka, raise(fleet, ALERTS, Duration.ofMillis(300)));

                // When the instance is killed once the second tiers have begun to go out
                await().atMost(Duration.ofSeconds(60)).until(() -> !receivers.at("/second").isEmpty());
            } finally {
                first.kill();
            }
            int atKill = receivers.received.size();

            // Then a successor over the same MongoDB and Kafka takes the claims over once their leases run out
            try (RunningService second = RunningNotifications.start(kafka, mongo.uri("notify"), "notification-fault-kill",
                    "--tiltfleet.notification.claim-lease=4s")) {
                awaitAllReceived(receivers, dueKeys(fleet, ALERTS), Duration.ofSeconds(60));
                awaitNoMoreArriving(receivers);
            }
            assertThat(atKill).as("the kill came before every notification was received").isLessThan(2 * ALERTS);
            DeliveryLedger ledger = DeliveryLedger.of("instance-lost-mid-escalation", dueKeys(fleet, ALERTS), receivers.received).printAndCheck();
            // the send in flight at the kill was received, never settled: only a claim taken over after its lease sends it again
            assertThat(ledger.duplicates()).as("notifications sent again once the killed instance's lease ran out").isPositive();
        }
    }

    @Test
    void aReceiverRefusingConnectionsFor45SecondsGetsEverythingOnceItIsBack() throws Exception {
        String fleet = "fault-down";
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             Receivers receivers = new Receivers();
             RunningService service = RunningNotifications.start(kafka, mongo.uri("notify"), "notification-fault-down",
                     "--tiltfleet.notification.delivery.initial-backoff=1s", "--tiltfleet.notification.delivery.max-backoff=5s",
                     "--tiltfleet.notification.delivery.max-attempts=40")) {
            HttpResponse<String> put = RunningNotifications.putPolicy(service, fleet, twoTierPolicy(receivers, Duration.ofSeconds(3)));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

            // Given the receiver down: connections refused
            receivers.down();

            // When 10 alerts are raised, and the receiver comes back after 45 s
            publish(kafka, raise(fleet, ALERTS, Duration.ZERO));
            Thread.sleep(45_000);
            receivers.up();

            // Then every notification arrives, retried with a growing pause rather than every tick
            awaitAllReceived(receivers, dueKeys(fleet, ALERTS), Duration.ofSeconds(20));
            DeliveryLedger.of("receiver-down", dueKeys(fleet, ALERTS), receivers.received).printAndCheck();
            List<Instant> attempts = attemptTimes(service, fleet + "-0:1:first:0");
            assertThat(attempts.size()).as("attempts in 45 s with pauses of 1, 2, 4, 5, 5 ... s").isBetween(8, 20);
            assertThat(Duration.between(attempts.get(attempts.size() - 3), attempts.get(attempts.size() - 2)))
                    .as("a pause at the largest backoff").isGreaterThanOrEqualTo(Duration.ofMillis(4_500));
        }
    }

    @Test
    void withMongoDbAnswering200MsLateABurstOfAlertsInOneBatchIsStillDelivered() throws Exception {
        String fleet = "fault-burst";
        int alerts = 20;   // a ward's tables going over together: one poll brings them in one batch
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy slowLink = TcpProxy.start(mongo.port());
             Receivers receivers = new Receivers();
             RunningService service = RunningNotifications.start(kafka, "mongodb://127.0.0.1:" + slowLink.port() + "/notify",
                     "notification-fault-burst")) {
            HttpResponse<String> put = RunningNotifications.putPolicy(service, fleet, twoTierPolicy(receivers, Duration.ofSeconds(3)));
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

            // Given MongoDB answering every request 200 ms late, both ways
            slowLink.delay(Duration.ofMillis(200));

            // When 30 alerts are raised at once
            publish(kafka, raise(fleet, alerts, Duration.ZERO));

            // Then every notification arrives, only late
            awaitAllReceived(receivers, dueKeys(fleet, alerts), Duration.ofSeconds(150));
            DeliveryLedger.of("mongodb-slow-burst", dueKeys(fleet, alerts), receivers.received).printAndCheck();
        }
    }

    /** When each attempt of one notification was made, oldest first, as the deliveries API lists them. */
    static List<Instant> attemptTimes(RunningService service, String key) throws Exception {
        String alertId = key.substring(0, key.indexOf(':'));
        JsonNode attempts = RunningNotifications.JSON.readTree(service.send("GET", "/api/notifications?alertId=" + alertId, null, EVERY_FLEET).body());
        return attempts.valueStream().filter(a -> a.path("idempotencyKey").asString().equals(key))
                .map(a -> Instant.parse(a.path("at").asString())).sorted().toList();
    }

    private static ManagedProcess startProcess(MongoStandIn mongo, int port, Path log) {
        ManagedProcess process = ManagedProcess.startJava("notification on port " + port, NotificationApplication.class, List.of(
                "--server.port=" + port, "--spring.kafka.bootstrap-servers=" + kafka, "--spring.mongodb.uri=" + mongo.uri("notify"),
                "--management.health.mongodb.enabled=false", "--spring.kafka.consumer.group-id=notification-fault-kill",
                "--tiltfleet.notification.ack-link-secret=" + RunningNotifications.SECRET,
                "--tiltfleet.notification.allow-plain-http=true", "--tiltfleet.notification.allow-private-addresses=true",
                "--tiltfleet.notification.send-timeout=2s", "--tiltfleet.notification.claim-lease=4s",
                // the successor gets the killed consumer's partitions in seconds rather than the default 45
                "--spring.kafka.consumer.properties.session.timeout.ms=6000"), log);
        process.awaitReady(() -> LoopbackHttp.isUp(port), Duration.ofSeconds(120));
        return process;
    }
}
