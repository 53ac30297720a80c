package io.tiltfleet.safety;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.tiltfleet.embedded.FaultReport;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.embedded.ManagedProcess;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.config.KafkaListenerEndpointRegistry;

/**
 * The safety service under faults, each ending in a count of the alerts and alert events owed by 8
 * tables that go over their limit and come back: killed with SIGKILL mid-episode, its MongoDB slow, and
 * a consumer rebalance while the alerts are open. No alert may be lost or stored twice.
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
            ConfigurableApplicationContext safety = RunningServices.safety(kafka, "mongodb://127.0.0.1:" + slowLink.port() + "/tiltfleet");
            try {
                // Given MongoDB answering every request 200 ms late, both ways
                slowLink.delay(Duration.ofMillis(200));

                // When 8 tables go over their limit and come back
                episodes.goOver();
                episodes.stayThenComeBack();
                episodes.awaitAllCleared(RunningServices.port(safety));

                // Then nothing is lost or doubled, only late
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-slow-mongodb", RunningServices.port(safety)));
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
            ConfigurableApplicationContext one = RunningServices.safety(kafka, mongo.uri("tiltfleet"));
            ConfigurableApplicationContext two = RunningServices.safety(kafka, mongo.uri("tiltfleet"));
            try {
                // Given two instances sharing the tables, and every table's alert open
                episodes.goOver();
                await().atMost(Duration.ofSeconds(60)).until(() -> episodes.alerts(RunningServices.port(one)).size() >= OverAngleEpisodes.TABLES);

                // When one instance's consumer leaves the group, its partitions (and open alerts) moving to the other
                // (its container stops rather than its context closing: contexts of one JVM share Reactor Netty's resources)
                two.getBean(KafkaListenerEndpointRegistry.class).getListenerContainer("safety-rules").stop();
                episodes.stayThenComeBack();
                episodes.awaitAllCleared(RunningServices.port(one));

                // Then every alert was cleared by the instance that took it over, once
                assertNothingLostOrStoredTwice(episodes.storedAlerts("safety-rebalance-open-alerts", RunningServices.port(one)));
                assertNoEventLostOrRepeated(episodes.alertEvents("safety-rebalance-open-alerts"));
            } finally {
                one.close();
                two.close();
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
                "--management.health.mongodb.enabled=false"), log);
        process.awaitReady(() -> LoopbackHttp.get(port, "/actuator/health").contains("\"status\":\"UP\""), Duration.ofSeconds(120));
        return process;
    }
}
