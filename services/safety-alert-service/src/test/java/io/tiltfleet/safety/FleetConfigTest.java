package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;
import tools.jackson.databind.JsonNode;

/**
 * Settings, profiles and check-ins changed while the platform runs reach every instance: a change made through
 * instance A takes effect on the tables instance B owns, before and after B restarts. The delays are
 * printed: from the change's answer to the alert it causes, as seen in the store. A change accepted while
 * MongoDB is away is applied and audited once it is back, each once.
 */
class FleetConfigTest {

    private static final String FLEET = "config-live";
    private static final int TABLES = 16;
    /** Each table's running session and the reading it began with; the first began 10 minutes before the test. */
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();

    private record Session(String id, long startSeq) {
    }

    @Test
    void settingsAndProfilesChangedThroughOneInstanceTakeEffectOnTheTablesOfTheOtherAlsoAfterItRestarts() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        RunningSafety.createTelemetryTopics(kafka);
        ScheduledExecutorService tables = Executors.newSingleThreadScheduledExecutor();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            int partitions = admin.describeTopics(List.of(Topics.TELEMETRY_READINGS)).allTopicNames().get()
                    .get(Topics.TELEMETRY_READINGS).partitions().size();
            RunningService a = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            RunningService b = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            RunningService stopped = null;
            try {
                // Given 16 tables at 8 degrees with their ankle lock open, each reporting every 100 ms: under the default head-down
                // threshold of 10 degrees, so no alert; and two instances sharing their partitions
                AtomicLong seq = new AtomicLong();
                IntStream.range(0, TABLES).forEach(table -> sessions.put("t-" + table, new Session("s-1", -6_000)));
                tables.scheduleAtFixedRate(() -> report(producer, seq.incrementAndGet()), 0, 100, TimeUnit.MILLISECONDS);
                Set<String> ofB = awaitTablesOwnedBy(b, a, partitions);
                await().atMost(Duration.ofSeconds(30)).until(() -> a.get("/api/fleet/" + FLEET + "/tables").split("\"tableId\"").length > TABLES);

                // When an operator lowers the fleet's head-down threshold to 5 degrees through instance A
                Instant answered = put(a, "/api/fleets/" + FLEET + "/settings", "{\"settings\":{\"headDownAngleDeg\":5},\"reason\":\"lower tables\"}");

                // Then every table of instance B raises its open-lock alert, within the second
                long settingsMs = awaitAlerts(a, "LOCK_OPEN_WHILE_INVERTED", ofB, answered);
                System.out.printf("CONFIG settings change through A -> alerts of B's %d tables, last after %d ms%n", ofB.size(), settingsMs);

                // And a profile changed through A reaches its table on B just as fast
                String first = ofB.iterator().next();
                answered = put(a, "/api/fleet/" + FLEET + "/tables/" + first + "/profile", "{\"contraindications\":[\"GLAUCOMA\"]}");
                long profileMs = awaitAlerts(a, "CONTRAINDICATED_USE", Set.of(first), answered);
                System.out.printf("CONFIG profile change through A -> alert of %s on B after %d ms%n", first, profileMs);

                // And a patient checked in through A, whose session then begins on a table of B, has their contraindication
                // judged there just as fast
                String second = ofB.stream().filter(table -> !table.equals(first)).findFirst().orElseThrow();
                long checkInMs = checkInAndBeginSession(a, second, seq);
                System.out.printf("CONFIG check-in through A -> alert of %s's session on B after %d ms%n", second, checkInMs);
                // the rules store which session took the check-in up right after the alert it caused
                await().atMost(Duration.ofSeconds(5)).until(() -> a.get("/api/fleet/" + FLEET + "/tables/" + second + "/check-in")
                        .contains("\"status\":\"IN_SESSION\""));
                assertThat(a.get("/api/fleet/" + FLEET + "/tables/" + second + "/check-in")).contains("\"sessionId\":\"s-2\"");
                // and the next patient cannot be checked in over the running session's (nor would withdrawing reach it then)
                RunningSafety.assertProblem(RunningSafety.send(a, "POST", "/api/fleet/" + FLEET + "/tables/" + second + "/check-in",
                        "{\"patientRef\":\"p-next\",\"contraindications\":[]}", Map.of()), 409, "withdraw that check-in first");

                // When B restarts: its consumers stop (contexts of one JVM share Reactor Netty's resources, so it stays open
                // until the end) and a new instance takes its place, reading everything from Kafka and MongoDB
                b.bean(KafkaListenerEndpointRegistry.class).stop();
                RunningService restarted = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
                stopped = b;
                b = restarted;
                Set<String> ofRestarted = awaitTablesOwnedBy(restarted, a, partitions);

                // Then it holds what was changed before, and a change made through A reaches its tables as before
                assertThat(restarted.get("/api/fleets/" + FLEET + "/settings")).contains("\"headDownAngleDeg\":5.0");
                assertThat(restarted.get("/api/fleet/" + FLEET + "/tables/" + first + "/profile")).contains("GLAUCOMA");
                List<String> untouched = ofRestarted.stream().filter(table -> !table.equals(first) && !table.equals(second)).toList();
                String next = untouched.get(0);
                answered = put(a, "/api/fleet/" + FLEET + "/tables/" + next + "/profile", "{\"contraindications\":[\"PREGNANCY\"]}");
                long restartedMs = awaitAlerts(a, "CONTRAINDICATED_USE", Set.of(next), answered);
                System.out.printf("CONFIG profile change through A -> alert of %s on restarted B after %d ms%n", next, restartedMs);
                long restartedCheckInMs = checkInAndBeginSession(a, untouched.get(1), seq);
                System.out.printf("CONFIG check-in through A -> alert of %s's session on restarted B after %d ms%n", untouched.get(1),
                        restartedCheckInMs);

                assertThat(List.of(settingsMs, profileMs, checkInMs, restartedMs, restartedCheckInMs)).allSatisfy(ms -> assertThat(ms).isLessThan(2_000));
            } finally {
                tables.shutdownNow();
                a.close();
                b.close();
                if (stopped != null) {
                    stopped.close();
                }
            }
        }
    }

    @Test
    void changesAcceptedWhileMongoDbIsAwayAreAppliedAndAuditedEachOnceWhenItIsBack() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String fleet = "config-mongo-away";
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free()); TcpProxy link = TcpProxy.start(mongo.port())) {
            RunningService safety = RunningSafety.start(kafka, "mongodb://127.0.0.1:" + link.port() + "/tiltfleet",
                    "--tiltfleet.safety.store-timeout=3s");
            try {
                // Given a running instance that has read the configuration log, and then MongoDB out of reach
                await().atMost(Duration.ofSeconds(30)).until(() -> safety.get("/api/fleets/" + fleet + "/settings").contains("\"effective\""));
                link.cut();

                // When an operator changes the fleet's angle limit three times
                List<Integer> answers = new ArrayList<>();
                for (int limit : List.of(40, 45, 50)) {
                    answers.add(RunningSafety.send(safety, "PUT", "/api/fleets/" + fleet + "/settings",
                            "{\"settings\":{\"maxAngleDeg\":" + limit + "}}", Map.of()).statusCode());
                }

                // Then each is accepted (Kafka holds it) though not yet applied, since its audit entry cannot be written
                assertThat(answers).containsOnly(202);
                assertThat(safety.get("/api/fleets/" + fleet + "/settings")).contains("\"effective\":{\"maxAngleDeg\":60.0");

                // And once MongoDB is back, all three are recorded, each once, and the last is in force
                link.restore();
                await().atMost(Duration.ofSeconds(60)).until(() -> safety.get("/api/fleets/" + fleet + "/settings")
                        .contains("\"effective\":{\"maxAngleDeg\":50.0"));
                JsonNode trail = SafetyRestartTest.JSON.readTree(safety.get("/api/fleets/" + fleet + "/audit"));
                Set<String> ids = new HashSet<>();
                trail.forEach(entry -> ids.add(entry.get("id").asText()));
                List<Double> limits = new ArrayList<>();
                trail.forEach(entry -> limits.add(entry.get("after").get("maxAngleDeg").asDouble()));
                new FaultReport("safety-config-mongo-away", "changes", 3, answers.size(), ids.size(), trail.size() - ids.size(), 3 - ids.size()).print();
                assertThat(limits).containsExactlyInAnyOrder(40.0, 45.0, 50.0);
            } finally {
                safety.close();
            }
        }
    }

    /**
     * Checks a patient with glaucoma in to the table through this instance, then lets the table begin a new session.
     *
     * @return how long after the check-in's answer its alert was seen
     */
    private long checkInAndBeginSession(RunningService safety, String table, AtomicLong seq) throws Exception {
        HttpResponse<String> response = RunningSafety.send(safety, "POST", "/api/fleet/" + FLEET + "/tables/" + table + "/check-in",
                "{\"patientRef\":\"p-" + table + "\",\"contraindications\":[\"GLAUCOMA\"]}", Map.of());
        Instant answered = Instant.now();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        sessions.put(table, new Session("s-2", seq.get()));
        return awaitAlerts(safety, "CONTRAINDICATED_USE", Set.of(table), answered);
    }

    private void report(KafkaProducer<String, String> producer, long seq) {
        for (int table = 0; table < TABLES; table++) {
            Session session = sessions.get("t-" + table);
            TelemetryReading reading = new TelemetryReading(FLEET, "t-" + table, seq, Instant.now(), session.id(), 8,
                    (seq - session.startSeq()) / 10.0, false);
            producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, new TableRef(FLEET, "t-" + table).key(),
                    SafetyRestartTest.JSON.writeValueAsString(reading)));
        }
    }

    /** Once both instances have readings partitions: the tables whose partitions {@code owner} holds (at least one). */
    private static Set<String> awaitTablesOwnedBy(RunningService owner, RunningService other, int partitions) {
        await().atMost(Duration.ofSeconds(60)).until(() -> !readingsPartitions(owner).isEmpty() && !readingsPartitions(other).isEmpty()
                && !owned(readingsPartitions(owner), partitions).isEmpty());
        return owned(readingsPartitions(owner), partitions);
    }

    private static Set<Integer> readingsPartitions(RunningService safety) {
        var assigned = safety.bean(KafkaListenerEndpointRegistry.class).getListenerContainer("safety-rules").getAssignedPartitions();
        return assigned == null ? Set.of() : assigned.stream().filter(partition -> partition.topic().equals(Topics.TELEMETRY_READINGS))
                .map(TopicPartition::partition).collect(Collectors.toSet());
    }

    /** The tables of these partitions, by the producer's own partitioning of their keys. */
    private static Set<String> owned(Set<Integer> assigned, int partitions) {
        return IntStream.range(0, TABLES).mapToObj(table -> "t-" + table).filter(table -> assigned.contains(
                Utils.toPositive(Utils.murmur2(new TableRef(FLEET, table).key().getBytes(StandardCharsets.UTF_8))) % partitions))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** @return when the change was answered */
    private static Instant put(RunningService safety, String path, String body) throws Exception {
        HttpResponse<String> response = RunningSafety.send(safety, "PUT", path, body, Map.of());
        Instant answered = Instant.now();
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return answered;
    }

    /** @return how long after {@code since} the last of these tables' alerts of this type was seen in the store */
    private static long awaitAlerts(RunningService safety, String type, Set<String> tableIds, Instant since) {
        Map<String, Long> seenAfter = new HashMap<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20)).until(() -> {
            long ms = Duration.between(since, Instant.now()).toMillis();
            for (JsonNode alert : SafetyRestartTest.JSON.readTree(safety.get("/api/alerts?fleetId=" + FLEET + "&type=" + type))) {
                seenAfter.putIfAbsent(alert.get("tableId").asText(), ms);
            }
            return seenAfter.keySet().containsAll(tableIds);
        });
        return tableIds.stream().mapToLong(seenAfter::get).max().orElseThrow();
    }
}
