package io.tiltfleet.systemtests;

import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TcpProxy;
import java.util.ArrayList;
import java.util.List;

/** The whole platform in this JVM, as the local run has it: brokers, the four services and the gateway with its local keys. */
public final class LocalStack implements AutoCloseable {

    public final MosquittoBroker mqtt;
    public final MongoStandIn mongo;
    public final RunningService ingest;
    public final RunningService safety;
    /** The gateway's way to the safety service: cut it, and the dashboards' streams break as on a network failure. */
    public final TcpProxy safetyLink;
    public final RunningService analytics;
    public final RunningService notification;
    public final RunningService gateway;
    private final List<AutoCloseable> started = new ArrayList<>();

    /** The broker's administrator (the safety service) and the ingest's account, when every client must sign in. */
    private static final String ADMIN_PASSWORD = "e2e-broker-admin";
    private static final String INGEST = "e2e-ingest";
    private static final String INGEST_PASSWORD = "e2e-ingest-password";

    private LocalStack(boolean brokerAccounts) {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        mqtt = remember(brokerAccounts
                ? MosquittoBroker.startWithDynamicSecurity(SharedBrokers.scratchDirectory("mosquitto"), Ports.free(), ADMIN_PASSWORD)
                : MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto")));
        mongo = remember(MongoStandIn.start(Ports.free()));
        String mongoUri = mongo.uri("tiltfleet");
        if (brokerAccounts) {
            mqtt.addIngestAccount(INGEST, INGEST_PASSWORD);
            ingest = remember(PlatformServices.ingest(mqtt.uri(), kafka, mongoUri, INGEST, "--tiltfleet.ingest.mqtt.username=" + INGEST,
                    "--tiltfleet.ingest.mqtt.password=" + INGEST_PASSWORD));
            safety = remember(PlatformServices.safety(kafka, mongoUri, "--tiltfleet.safety.broker.uri=" + mqtt.uri(),
                    "--tiltfleet.safety.broker.admin-password=" + ADMIN_PASSWORD));
        } else {
            ingest = remember(PlatformServices.ingest(mqtt.uri(), kafka, mongoUri, INGEST));
            safety = remember(PlatformServices.safety(kafka, mongoUri));
        }
        analytics = remember(PlatformServices.analytics(kafka, mongoUri,
                "--spring.kafka.consumer.group-id=e2e-analytics", "--tiltfleet.analytics.idle-timeout=5s",
                "--tiltfleet.analytics.arrival-disorder=0s"));
        safetyLink = remember(TcpProxy.start(safety.port()));
        notification = remember(PlatformServices.notification(kafka, mongoUri, safety));
        gateway = remember(PlatformServices.gateway(kafka, mongoUri, safetyLink.port(), analytics.port(), notification));
    }

    /** Tables connect without signing in: the broker's accounts are not what the test is about. */
    public static LocalStack start() {
        return new LocalStack(false);
    }

    /** As the local run has it: every client signs in, tables with the credentials the safety service issues them. */
    public static LocalStack startWithBrokerAccounts() {
        return new LocalStack(true);
    }

    private <T extends AutoCloseable> T remember(T resource) {
        started.add(resource);
        return resource;
    }

    public String dashboardUrl() {
        return "http://127.0.0.1:" + gateway.port() + "/";
    }

    @Override
    public void close() throws Exception {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
    }
}
