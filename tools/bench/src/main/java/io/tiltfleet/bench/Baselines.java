package io.tiltfleet.bench;

import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MosquittoBroker;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** What the machine does without the platform in between, measured with the same load. */
final class Baselines {

    private Baselines() {
    }

    /** Tables publish QoS 1, one subscriber takes them through the ingest's shared filter: messages per second. */
    static double mosquittoQos1(MosquittoBroker mqtt, int messages, int tables) throws Exception {
        CountDownLatch received = new CountDownLatch(messages);
        try (LoadConnections subscriber = LoadConnections.subscribe(mqtt.uri(), "bench-baseline-subscriber",
                "$share/bench-baseline/" + Topics.MQTT_TELEMETRY_FILTER, payload -> received.countDown())) {
            Instant start = Instant.now();
            IngestBenchmark.publishAll(mqtt, "baseline", messages, tables);
            if (!received.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("subscriber got " + (messages - received.getCount()) + " of " + messages);
            }
            return messages / IngestBenchmark.seconds(start);
        }
    }

    /** The ingest's producer settings, the same payloads, no MQTT: records per second acknowledged by Kafka. */
    static double kafkaProducer(KafkaBroker kafka, int messages, int tables) throws Exception {
        String topic = "bench.producer-baseline";
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 12, (short) 1))).all().get();
            // an idempotent producer that starts while the new partitions' leaders are still being elected may retry for ever
            while (admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().stream()
                    .anyMatch(partition -> partition.leader() == null || partition.leader().isEmpty())) {
                Thread.sleep(100);
            }
        }
        CountDownLatch acknowledged = new CountDownLatch(messages);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 2), new StringSerializer(), new ByteArraySerializer())) {
            Instant start = Instant.now();
            for (int i = 0; i < messages; i++) {
                String table = "table-" + (i % tables);
                producer.send(new ProducerRecord<>(topic, table,
                        DevicePayloads.telemetry(IngestBenchmark.reading("baseline", table, i / tables + 1))), (metadata, failure) -> {
                            if (failure == null) {
                                acknowledged.countDown();
                            }
                        });
            }
            if (!acknowledged.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("Kafka acknowledged " + (messages - acknowledged.getCount()) + " of " + messages);
            }
            return messages / IngestBenchmark.seconds(start);
        }
    }
}
