package io.tiltfleet.analytics;

import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.mongodb.MongoDBContainer;

/** The pipeline test against real Kafka and MongoDB images, wherever Docker runs; skipped where it does not. */
@Testcontainers(disabledWithoutDocker = true)
class AnalyticsPipelineContainersTest {

    @Container
    static final KafkaContainer KAFKA = new KafkaContainer("apache/kafka:4.1.1");

    @Container
    static final MongoDBContainer MONGO = new MongoDBContainer("mongo:8.0");

    @Test
    void readingsBecomeExactUsageAndTheSameReadingsAgainChangeNothingOnRealMongoDbAndKafka() throws Exception {
        AnalyticsPipelineTest.readTwice(KAFKA.getBootstrapServers(), MONGO.getReplicaSetUrl("tiltfleet"));
    }
}
