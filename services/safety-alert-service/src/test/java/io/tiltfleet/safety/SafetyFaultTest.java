package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.contract.TableRef;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import java.time.Instant;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * The safety service under faults, each ending in a count of the alerts and alert events owed by 8
 * tables that go over their limit and come back: killed with SIGKILL mid-episode, its MongoDB slow, and
 * a consumer rebalance while the alerts are open. No alert may be lost or stored twice, and no table that
 * keeps reporting called silent because the service fell behind.
 */
class SafetyFaultTest {

    @Test
    void killedWithSigkillMidEpisodeTheSuccessorRaisesAndClearsEachAlertOnce() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        Path logs = SharedBrokers.scratchDirectory("safety-kill");
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             OverAngleEpisodes episodes = new OverAngleEpisodes("fault-kill", kafka)) {
            int firstPort = Ports.free();
            ManagedProcess first = startProcess(kafka, mongo, firstPort, logs.resolve("first.log"));

            // Given 8 tables over their limit, and the first alerts raised
            episodes.goOver();
            await().atMost(Duration.ofSeconds(60)).until(() -> !episodes.alerts(firstPort).isEmpty());

            // When the service is killed without any chance to finish its batch, and a successor starts
            first.kill();
            episodes.stayThenComeBack();
            int secondPort = Ports.free();
            ManagedProcess second = startProcess(kafka, mongo, secondPort, logs.resolve("second.log"));
            try {
                episodes.awaitAllCleared(secondPort);

                // Then each table has exactly one alert, raised and cleared
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-kill-9", secondPort));
                assertThat(episodes.alertEvents("safety-kill-9").lost()).isZero();
            } finally {
                second.stop(Duration.ofSeconds(30));
            }
        }
    }

    @Test
    void withMongoDbAnswering200MsLateEveryAlertIsStillRaisedAndClearedOnce() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy slowLink = TcpProxy.start(mongo.port());
             OverAngleEpisodes episodes = new OverAngleEpisodes("fault-slow-mongo", kafka)) {
            RunningService safety = RunningSafety.start(kafka, "mongodb://127.0.0.1:" + slowLink.port() + "/tiltfleet");
            try {
                // Given MongoDB answering every request 200 ms late, both ways
                slowLink.delay(Duration.ofMillis(200));

                // When 8 tables go over their limit and come back
                episodes.goOver();
                episodes.stayThenComeBack();
                episodes.awaitAllCleared(safety.port());

                // Then nothing is lost or doubled, only late
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-slow-mongodb", safety.port()));
                assertNoEventLostOrRepeated(episodes.alertEvents("safety-slow-mongodb"));
            } finally {
                safety.close();
            }
        }
    }

    @Test
    void aRebalanceWhileAlertsAreOpenHandsThemOverAndEachClearsOnce() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             OverAngleEpisodes episodes = new OverAngleEpisodes("fault-rebalance", kafka)) {
            // the episode sends its readings in bursts: however long the hand-over takes, the tables are not to look silent
            RunningService one = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            RunningService two = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            try {
                RunningSafety.putSettings(one, "fault-rebalance", "{\"silenceTimeout\":\"PT5M\"}");
                // Given two instances sharing the tables, and every table's alert open
                episodes.goOver();
                await().atMost(Duration.ofSeconds(60)).until(() -> episodes.alerts(one.port()).size() >= OverAngleEpisodes.TABLES);

                // When one instance's consumer leaves the group, its partitions (and open alerts) moving to the other
                // (its container stops rather than its context closing: contexts of one JVM share Reactor Netty's resources)
                two.bean(KafkaListenerEndpointRegistry.class).getListenerContainer("safety-rules").stop();
                episodes.stayThenComeBack();
                episodes.awaitAllCleared(one.port());

                // Then every alert was cleared by the instance that took it over, once
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-rebalance-open-alerts", one.port()));
                assertNoEventLostOrRepeated(episodes.alertEvents("safety-rebalance-open-alerts"));
            } finally {
                one.close();
                two.close();
            }
        }
    }

    @Test
    void mongoDbCutForThirtySecondsAndKafkaRefusingAlertEventsLoseNoDecidedAlertAndPublishEachOnce() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy link = TcpProxy.start(mongo.port());
             OverAngleEpisodes episodes = new OverAngleEpisodes("fault-cut", kafka);
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka))) {
            RunningService safety = RunningSafety.start(kafka, "mongodb://127.0.0.1:" + link.port() + "/tiltfleet",
                    "--tiltfleet.safety.store-timeout=2s");
            int port = safety.port();
            try {
                // Given 8 tables lying flat, their monitors loaded
                episodes.lieFlat();
                await().atMost(Duration.ofSeconds(60)).until(() -> episodes.tablesShown(port) == OverAngleEpisodes.TABLES);

                // When MongoDB is cut off for 30 s and Kafka refuses alert events while the tables go over their limit,
                // talking every second all along
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, true);
                link.cut();
                episodes.goOver();
                ScheduledExecutorService tables = Executors.newSingleThreadScheduledExecutor();
                tables.scheduleAtFixedRate(episodes::stayOneMoreSecond, 0, 1, TimeUnit.SECONDS);
                await().pollDelay(Duration.ofSeconds(30)).atMost(Duration.ofSeconds(31)).until(() -> true);
                link.restore();

                // Then what was decided meanwhile is stored once MongoDB is back, but not published, and the intake waits for it
                // (the readings behind it stay uncommitted: nothing later may overtake an undelivered alert)
                await().atMost(Duration.ofSeconds(60)).until(() -> episodes.active(port) >= 1);
                assertThat(episodes.published()).isEmpty();

                // And published once Kafka takes them again; then each episode ends as usual
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, false);
                tables.shutdown();
                assertThat(tables.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
                episodes.comeBackAfterStaying();
                episodes.awaitAllCleared(port);
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-mongodb-cut-kafka-refusing", port));
                assertNoEventLostOrRepeated(episodes.alertEvents("safety-mongodb-cut-kafka-refusing"));
            } finally {
                RunningSafety.refuseRecordsOf(admin, Topics.SAFETY_ALERTS, false);
                safety.close();
            }
        }
    }

    @Test
    void aTableSilentWhileInvertedWhenItsPartitionMovesIsReportedSilentByItsNewOwner() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String fleet = "fault-adopt";
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             KafkaProducer<String, String> table = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            RunningSafety.createTelemetryTopics(kafka);
            RunningService first = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
            RunningService second = null;
            try {
                // long enough for the partition to move before the first owner would have noticed
                RunningSafety.putSettings(first, fleet, "{\"silenceTimeout\":\"PT25S\"}");
                // Given a table at 45 degrees that hangs (no Last Will), its state stored by the first owner
                for (int seq = 1; seq <= 5; seq++) {
                    TelemetryReading reading = new TelemetryReading(fleet, "t-1", seq, Instant.now(), "s-1", 45, seq, true);
                    table.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, new TableRef(fleet, "t-1").key(),
                            SafetyRestartTest.JSON.writeValueAsString(reading))).get();
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> first.get("/api/fleet/" + fleet + "/tables").contains("45.0"));

                // When its partition moves to a second instance, which never sees an event of it
                second = RunningSafety.start(kafka, mongo.uri("tiltfleet"));
                first.bean(KafkaListenerEndpointRegistry.class).getListenerContainer("safety-rules").stop();

                // Then the second instance notices the silence all the same
                RunningService owner = second;
                await().atMost(Duration.ofSeconds(60)).until(() -> owner.get("/api/alerts?fleetId=" + fleet)
                        .contains("SILENT_WHILE_INVERTED"));
            } finally {
                first.close();
                if (second != null) {
                    second.close();
                }
            }
        }
    }

    @Test
    void tablesThatKeepReportingWhileBatchesTakeLongerThanTheSilenceTimeoutAreNeverCalledSilent() throws Exception {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        String fleet = "fault-slow-batches";
        ScheduledExecutorService tables = Executors.newSingleThreadScheduledExecutor();
        try (MongoStandIn mongo = MongoStandIn.start(Ports.free());
             TcpProxy slowLink = TcpProxy.start(mongo.port());
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka,
                     ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            RunningSafety.createTelemetryTopics(kafka);
            // a silence timeout shorter than a slow write; the driver's own 10 s limit on a server check stays out of reach
            RunningService safety = RunningSafety.start(kafka, "mongodb://127.0.0.1:" + slowLink.port() + "/tiltfleet");
            try {
                RunningSafety.putSettings(safety, fleet, "{\"silenceTimeout\":\"PT5S\"}");
                // Given 4 tables at 30 degrees head-down, each reporting every second, known to the rules
                AtomicLong seconds = new AtomicLong();
                tables.scheduleAtFixedRate(() -> {
                    long seq = seconds.incrementAndGet();
                    for (int table = 0; table < 4; table++) {
                        TelemetryReading reading = new TelemetryReading(fleet, "t-" + table, seq, Instant.now(), "s-1", 30, seq, true);
                        producer.send(new ProducerRecord<>(Topics.TELEMETRY_READINGS, new TableRef(fleet, "t-" + table).key(),
                                SafetyRestartTest.JSON.writeValueAsString(reading)));
                    }
                }, 0, 1, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(30)).until(() -> SafetyRestartTest.JSON.readTree(safety.get("/api/fleet/" + fleet + "/tables")).size() == 4);

                // When MongoDB answers 4 s late each way for 20 s: every memory checkpoint holds the rules 8 s, past the silence timeout
                slowLink.delay(Duration.ofSeconds(4));
                long slowFrom = seconds.get();
                await().atMost(Duration.ofSeconds(60)).until(() -> seconds.get() >= slowFrom + 20);
                slowLink.delay(Duration.ZERO);

                // Then none of them was called silent: their readings were only waiting behind the slow batches
                await().atMost(Duration.ofSeconds(60)).during(Duration.ofSeconds(5)).until(() -> {
                    String alerts = safety.get("/api/alerts?fleetId=" + fleet);
                    return alerts.startsWith("[") && !alerts.contains("SILENT_WHILE_INVERTED");
                });
            } finally {
                tables.shutdownNow();
                safety.close();
            }
        }
    }

    private static void assertNothingLostOrStoredTwice(FaultReport alerts) {
        assertThat(alerts.lost()).as("tables without a cleared alert").isZero();
        assertThat(alerts.duplicates()).as("second alerts for one episode").isZero();
    }

    /** Without a crash nothing is published twice either. */
    private static void assertNoEventLostOrRepeated(FaultReport events) {
        assertThat(events.lost()).as("alert events missing").isZero();
        assertThat(events.duplicates()).as("alert events published twice").isZero();
    }

    private static ManagedProcess startProcess(String kafka, MongoStandIn mongo, int port, Path log) {
        ManagedProcess process = ManagedProcess.startJava("safety on port " + port, SafetyAlertApplication.class, List.of(
                "--server.port=" + port, "--spring.kafka.bootstrap-servers=" + kafka, "--spring.mongodb.uri=" + mongo.uri("tiltfleet"),
                "--management.health.mongodb.enabled=false", "--tiltfleet.safety.allow-calls-without-caller=true",
                // the broker drops the killed process from the group after 6 s rather than 45 s
                "--spring.kafka.consumer.properties.session.timeout.ms=6000"), log);
        process.awaitReady(() -> LoopbackHttp.isUp(port), Duration.ofSeconds(120));
        return process;
    }
}
