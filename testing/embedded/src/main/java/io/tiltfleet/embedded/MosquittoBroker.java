package io.tiltfleet.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Mosquitto broker (Debian's {@code mosquitto}) as a child process on loopback, with
 * persistence, so that it can be killed and restarted without losing queued QoS 1 messages.
 */
public final class MosquittoBroker implements AutoCloseable {

    private final Path dataDir;
    private final int port;
    private String settings;
    private ManagedProcess process;

    private MosquittoBroker(Path dataDir, int port) {
        this.dataDir = dataDir;
        this.port = port;
    }

    public static MosquittoBroker start(Path dataDir) {
        return start(dataDir, Ports.free());
    }

    public static MosquittoBroker start(Path dataDir, int port) {
        MosquittoBroker broker = new MosquittoBroker(dataDir, port);
        broker.launch(broker.config());
        return broker;
    }

    /**
     * Mosquitto as a deployment configures it: the {@code mosquitto.conf} of {@code configDir} (with its
     * password file and ACL), its container paths mapped to {@code configDir} and {@code dataDir}, and its
     * listener moved to a free loopback port.
     */
    public static MosquittoBroker startDeployed(Path dataDir, Path configDir) {
        MosquittoBroker broker = new MosquittoBroker(dataDir, Ports.free());
        try {
            String deployed = Files.readString(configDir.resolve("mosquitto.conf"))
                    .replace("listener 1883", "listener " + broker.port + " " + Ports.LOOPBACK)
                    .replace("/mosquitto/config/", configDir.toAbsolutePath() + "/")
                    .replace("/mosquitto/data/", dataDir.toAbsolutePath() + "/");
            broker.launch(deployed + "\nuser root\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return broker;
    }

    /** The broker's process id, for processor and memory figures. */
    public long pid() {
        return process.pid();
    }

    public String uri() {
        return "tcp://" + Ports.LOOPBACK + ":" + port;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }

    /**
     * Stops the broker as a restart would (SIGTERM: it saves its sessions and queued messages) and
     * starts it again on the same port and data: clients see their connections drop.
     */
    public void restart() {
        process.stop(Duration.ofSeconds(10));
        launch(settings);
    }

    private void launch(String settings) {
        this.settings = settings;
        Path config = dataDir.resolve("mosquitto.conf");
        try {
            Files.createDirectories(dataDir);
            Files.writeString(config, settings);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        process = ManagedProcess.start("mosquitto on port " + port,
                List.of(executable(), "-c", config.toString()), dataDir.resolve("mosquitto.log"));
        process.awaitReady(() -> Ports.accepting(port), Duration.ofSeconds(15));
    }

    /** The settings that matter for "nothing lost" are the same as in infra/mosquitto/mosquitto.conf. */
    private String config() {
        return """
                listener %d %s
                allow_anonymous true
                persistence true
                persistence_location %s/
                autosave_interval 1
                autosave_on_changes false
                max_queued_messages 1000000
                max_queued_bytes 0
                max_keepalive 120
                set_tcp_nodelay true
                user root
                log_dest stdout
                log_type error
                log_type warning
                log_type notice
                """.formatted(port, Ports.LOOPBACK, dataDir.toAbsolutePath());
    }

    private static String executable() {
        for (String candidate : List.of("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        throw new IllegalStateException("mosquitto is not installed: run 'apt-get install -y mosquitto'");
    }
}
