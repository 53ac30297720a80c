package io.tiltfleet.embedded;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The local run's infrastructure on the usual ports: Mosquitto on 1883, Kafka (KRaft) on 9092 and
 * the MongoDB stand-in on 27017, with their data under the given directory. Stops them on Ctrl-C.
 * Mosquitto runs as the platform does, with its dynamic-security plugin: its administrator's password is
 * {@code TILTFLEET_BROKER_ADMIN_PASSWORD}, and the ingest's account ({@code TILTFLEET_INGEST_MQTT_USERNAME}, with
 * {@code TILTFLEET_INGEST_MQTT_PASSWORD}) is made at start; tables get theirs through the API.
 */
public final class LocalInfrastructure {

    public static final int MQTT_PORT = 1883;
    public static final int KAFKA_PORT = 9092;
    public static final int MONGO_PORT = 27017;

    private LocalInfrastructure() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path dataDir = Path.of(args.length > 0 ? args[0] : "target/local-infra").toAbsolutePath();
        long start = System.nanoTime();
        MosquittoBroker mqtt = MosquittoBroker.startWithDynamicSecurity(dataDir.resolve("mosquitto"), MQTT_PORT,
                required("TILTFLEET_BROKER_ADMIN_PASSWORD"));
        mqtt.addIngestAccount(required("TILTFLEET_INGEST_MQTT_USERNAME"), required("TILTFLEET_INGEST_MQTT_PASSWORD"));
        KafkaBroker kafka = KafkaBroker.start(dataDir.resolve("kafka"), KAFKA_PORT, 12, KafkaBroker.Compilation.LONG_RUNNING);
        MongoStandIn mongo = MongoStandIn.start(MONGO_PORT);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            mongo.close();
            kafka.close();
            mqtt.close();
            stopped.countDown();
        }, "local-infra-stop"));
        System.out.printf("infrastructure ready in %.1f s: MQTT %s, Kafka %s, MongoDB stand-in %s (data in %s)%n",
                (System.nanoTime() - start) / 1e9, mqtt.uri(), kafka.bootstrapServers(), mongo.uri("tiltfleet"), dataDir);
        stopped.await();
    }

    private static String required(String variable) {
        String value = System.getenv(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(variable + " must be set (infra/local/run.sh sets it)");
        }
        return value;
    }
}
