package io.tiltfleet.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One Kafka broker per JVM for the tests of every module, started on first use and stopped when the
 * JVM ends: starting Kafka per test class would cost seconds each time. Tests that kill or restart
 * a broker start their own instead.
 */
public final class SharedBrokers {

    private static KafkaBroker kafka;

    private SharedBrokers() {
    }

    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = KafkaBroker.start(scratchDirectory("kafka"));
            Runtime.getRuntime().addShutdownHook(new Thread(kafka::close, "shared-kafka-stop"));
        }
        return kafka;
    }

    /** A new directory under the build's {@code target/} for one broker's data. */
    public static Path scratchDirectory(String prefix) {
        try {
            Path root = Files.createDirectories(Path.of("target", "infra"));
            return Files.createTempDirectory(root, prefix + "-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
