package io.tiltfleet.bench;

import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** The ingest, safety-alert, analytics and notification services, each from its production jar as a process of its own, against the given brokers. */
record PipelineServices(ServiceProcess ingest, ServiceProcess safety, ServiceProcess analytics, ServiceProcess notification) implements AutoCloseable {

    static PipelineServices start(Path scratch, MosquittoBroker mqtt, KafkaBroker kafka, MongoStandIn mongo) {
        String kafkaServers = "--spring.kafka.bootstrap-servers=" + kafka.bootstrapServers();
        String mongoUri = "--spring.mongodb.uri=" + mongo.uri("tiltfleet");
        ServiceProcess ingest = ServiceProcess.start("ingest-service", scratch, Ports.free(), "512m",
                "--tiltfleet.ingest.mqtt.broker-uri=" + mqtt.uri(), kafkaServers);
        // the probe reads the safety service's event stream directly, as in the local run
        ServiceProcess safety = ServiceProcess.start("safety-alert-service", scratch, Ports.free(), "768m", kafkaServers, mongoUri,
                "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
        ServiceProcess analytics = ServiceProcess.start("analytics-service", scratch, Ports.free(), "768m", kafkaServers, mongoUri,
                "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
        // the local profile lets it post to the probe's receiver on this machine over plain HTTP
        ServiceProcess notification = ServiceProcess.start("notification-service", scratch, Ports.free(), "512m", kafkaServers, mongoUri,
                "--management.health.mongodb.enabled=false", "--spring.profiles.active=local");
        return new PipelineServices(ingest, safety, analytics, notification);
    }

    /** Every process of the pipeline by name, this one (load and MongoDB stand-in) included, for processor and memory figures. */
    Map<String, Long> pids(MosquittoBroker mqtt, KafkaBroker kafka) {
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("mosquitto", mqtt.pid());
        pids.put("kafka", kafka.pid());
        pids.put("ingest", ingest.process.pid());
        pids.put("safety", safety.process.pid());
        pids.put("analytics", analytics.process.pid());
        pids.put("notification", notification.process.pid());
        pids.put("load+mongo", ProcessHandle.current().pid());
        return pids;
    }

    @Override
    public void close() {
        notification.stop();
        analytics.stop();
        safety.stop();
        ingest.stop();
    }
}
