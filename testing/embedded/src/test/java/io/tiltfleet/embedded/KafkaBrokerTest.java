package io.tiltfleet.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    @Test
    void acknowledgedRecordsSurviveAKillAndRestartOfTheBroker() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(SharedBrokers.scratchDirectory("kafka-restart"))) {
            // Given a topic with records acknowledged with acks=all
            sendAcknowledged(broker, "restart-check", 2, 100);

            // When the broker is killed and started again on the same port and log directory
            broker.kill();
            broker.startAgain();

            // Then every acknowledged record is still there
            assertThat(readAll(broker, "restart-check", 100)).hasSize(100);
        }
    }

    @Test
    void onlyATestsBrokerStopsAtTheClientCompiler() {
        assertThat(KafkaBroker.jvmOptions(KafkaBroker.Compilation.QUICK_START)).contains("-XX:TieredStopAtLevel=1");
        assertThat(KafkaBroker.jvmOptions(KafkaBroker.Compilation.LONG_RUNNING)).noneMatch(option -> option.startsWith("-XX:TieredStopAtLevel"));
    }

    @Test
    void aLongRunningBrokerStoresAndServesRecords() throws Exception {
        try (KafkaBroker broker = KafkaBroker.start(SharedBrokers.scratchDirectory("kafka-long-running"), Ports.free(), 1,
                KafkaBroker.Compilation.LONG_RUNNING)) {
            sendAcknowledged(broker, "long-running-check", 1, 1);
            assertThat(readAll(broker, "long-running-check", 1)).containsExactly("reading-0");
        }
    }

    /** Creates the topic, then sends readings 0 to count - 1 of five tables, each acknowledged with acks=all before the next. */
    private static void sendAcknowledged(KafkaBroker broker, String topic, int partitions, int count) throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(topic, "table-" + (i % 5), "reading-" + i)).get();
            }
        }
    }

    private static List<String> readAll(KafkaBroker broker, String topic, int expected) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "restart-check",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(Set.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
