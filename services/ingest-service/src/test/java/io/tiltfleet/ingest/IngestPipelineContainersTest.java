package io.tiltfleet.ingest;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;

/** The 20,000-reading pipeline test against the Kafka and Mosquitto images docker-compose runs, wherever Docker runs; skipped where it does not. */
@Testcontainers(disabledWithoutDocker = true)
class IngestPipelineContainersTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final GenericContainer<?> MOSQUITTO = new GenericContainer<>("eclipse-mosquitto:2.0.20")
            .withCommand("mosquitto", "-c", "/mosquitto-no-auth.conf")
            .withExposedPorts(1883);

    @Test
    void twentyThousandReadingsOfFiftyTablesReachKafkaOnceEachInPerTableSeqOrderOnRealImages() {
        String mqttUri = "tcp://" + MOSQUITTO.getHost() + ":" + MOSQUITTO.getMappedPort(1883);
        try (RunningIngest ingest = RunningIngest.start(mqttUri, KAFKA.getBootstrapServers(), "containers-test")) {
            IngestPipelineTest.fiftyTablesReachKafkaOnceEachInOrder(mqttUri, KAFKA.getBootstrapServers());
        }
    }
}
