package io.tiltfleet.systemtests.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.Topics;
import io.tiltfleet.embedded.KafkaBroker;
import io.tiltfleet.embedded.MongoStandIn;
import io.tiltfleet.embedded.MosquittoBroker;
import io.tiltfleet.embedded.Ports;
import io.tiltfleet.embedded.RunningService;
import io.tiltfleet.embedded.SharedBrokers;
import io.tiltfleet.embedded.TopicReader;
import io.tiltfleet.simulator.Fleet;
import io.tiltfleet.simulator.ScenarioMix;
import io.tiltfleet.simulator.TablePasswords;
import io.tiltfleet.systemtests.PlatformServices;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The fleet simulator speaks the device contract: everything it sends well-formed is forwarded, and only its malformed share is rejected. */
class FleetSimulatorPipelineIT {

    @Test
    void simulatedFleetReadingsAreAllForwardedAndOnlyTheMalformedOnesRejected() throws Exception {
        try (MosquittoBroker mqtt = MosquittoBroker.start(SharedBrokers.scratchDirectory("mosquitto"));
             MongoStandIn mongo = MongoStandIn.start(Ports.free());
             RunningService ingest = PlatformServices.ingest(mqtt.uri(), SharedBrokers.kafka().bootstrapServers(), mongo.uri("ingest"),
                     "simulator-test", "--tiltfleet.ingest.mqtt.share-group=simulator-test-group", "--tiltfleet.ingest.kafka.partitions=4")) {
            KafkaBroker kafka = SharedBrokers.kafka();
            ByteArrayOutputStream output = new ByteArrayOutputStream();

            // Given a fleet of 20 tables at 5 readings/s for 12 s, 5% of messages malformed
            Fleet fleet = new Fleet(new Fleet.Settings(mqtt.uri(), 1, 20, 5, Duration.ofSeconds(12), 1234,
                    ScenarioMix.parse(ScenarioMix.DEFAULT), 0.05, TablePasswords.NONE), new PrintStream(output, true, StandardCharsets.UTF_8), Clock.systemUTC());

            // When it runs (other system tests' fleet-1 records may already be in the shared broker's topics)
            long started = System.currentTimeMillis();
            Fleet.Summary summary = fleet.run();

            // Then every acknowledged message is in Kafka: the malformed ones in the reject topic, the others as readings
            List<ConsumerRecord<String, String>> readings = TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_READINGS,
                    record -> record.timestamp() >= started && record.value().contains("\"fleetId\":\"fleet-1\""), read -> read.size() >= summary.acked() - summary.malformed(),
                    Duration.ofSeconds(60));
            List<ConsumerRecord<String, String>> rejected = TopicReader.read(kafka.bootstrapServers(), Topics.TELEMETRY_REJECTED,
                    record -> record.timestamp() >= started && record.value().contains("fleets/fleet-1/"), read -> read.size() >= summary.malformed(), Duration.ofSeconds(30));
            assertThat(summary.sent()).isGreaterThan(800);
            assertThat(summary.failed()).isZero();
            assertThat(summary.malformed()).isPositive();
            assertThat(rejected).hasSize((int) summary.malformed());
            assertThat(readings).hasSize((int) (summary.acked() - summary.malformed()));
            assertThat(output.toString(StandardCharsets.UTF_8)).contains("20 tables of 1 fleet(s) connected").contains("summary: sent=");
        }
    }
}
