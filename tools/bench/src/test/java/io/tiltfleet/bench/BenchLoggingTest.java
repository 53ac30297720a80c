package io.tiltfleet.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.embedded.Ports;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** What a person running a benchmark reads: its progress and figures, not what its Kafka clients log at INFO. */
class BenchLoggingTest {

    @Test
    void aKafkaClientOfTheBenchmarksPrintsNothingWhileAllIsWell() {
        PrintStream console = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, UTF_8));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, Ports.LOOPBACK + ":" + Ports.free()), new StringSerializer(), new StringSerializer())) {
            // made and closed before it ever needs a broker: on its own it logs its whole configuration at INFO
        } finally {
            System.setOut(console);
        }

        assertThat(printed.toString(UTF_8)).doesNotContain("ProducerConfig values").doesNotContain(" INFO ").doesNotContain(" DEBUG ");
    }
}
