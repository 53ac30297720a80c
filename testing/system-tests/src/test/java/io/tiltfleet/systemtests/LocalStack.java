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

    private LocalStack() {
        String kafka = SharedBrokers.kafka().bootstrapServers();
        mqtt = remember(MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto")));
        mongo = remember(MongoStandIn.start(Ports.free()));
        String mongoUri = mongo.uri("tiltfleet");
        ingest = remember(PlatformServices.ingest(mqtt.uri(), kafka, mongoUri, "e2e-ingest"));
        safety = remember(PlatformServices.safety(kafka, mongoUri));
        analytics = remember(PlatformServices.analytics(kafka, mongoUri,
                "--spring.kafka.consumer.group-id=e2e-analytics", "--tiltfleet.analytics.idle-timeout=5s"));
        safetyLink = remember(TcpProxy.start(safety.port()));
        notification = remember(PlatformServices.notification(kafka, mongoUri, safety));
        gateway = remember(PlatformServices.gateway(kafka, mongoUri, safetyLink.port(), analytics.port(), notification));
    }

    public static LocalStack start() {
        return new LocalStack();
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
