package io.tiltfleet.safety;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/** The restart scenario against real MongoDB and Kafka images, wherever Docker runs; skipped where it does not. */
@Testcontainers(disabledWithoutDocker = true)
class SafetyRestartContainersTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:8.0");

    @Test
    void restartInTheMiddleOfAnOverAngleEpisodeKeepsExactlyOneAlertOnRealMongoDbAndKafka() {
        SafetyRestartTest.restartMidEpisode(KAFKA.getBootstrapServers(), MONGO.getReplicaSetUrl("tiltfleet"));
    }
}
