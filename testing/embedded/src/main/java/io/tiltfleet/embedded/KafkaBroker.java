package io.tiltfleet.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Kafka broker in KRaft mode, run from the {@code kafka_2.13} jars on this JVM's
 * class path in a child JVM. Being its own process, it can be killed and restarted on the same port
 * and log directory, which an in-JVM broker cannot do faithfully.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);

    private final Path dataDir;
    private final int port;
    private final int controllerPort;
    private final int defaultPartitions;
    private final Compilation compilation;
    private ManagedProcess process;

    /** How the broker's JVM compiles Kafka's code. */
    public enum Compilation {
        /**
         * The client compiler only: a test's broker starts sooner and spends less processor compiling, and its
         * code runs slower, which a test of a few seconds does not notice.
         */
        QUICK_START,
        /**
         * Both compilers, as docker-compose.yml's {@code apache/kafka} image runs Kafka: what a broker that runs for
         * hours costs, for the benchmarks and the local run.
         */
        LONG_RUNNING
    }

    private KafkaBroker(Path dataDir, int port, int defaultPartitions, Compilation compilation) {
        this.dataDir = dataDir;
        this.port = port;
        this.controllerPort = Ports.free();
        this.defaultPartitions = defaultPartitions;
        this.compilation = compilation;
    }

    public static KafkaBroker start(Path dataDir) {
        return start(dataDir, Ports.free(), 4, Compilation.QUICK_START);
    }

    public static KafkaBroker start(Path dataDir, int port, int defaultPartitions, Compilation compilation) {
        KafkaBroker broker = new KafkaBroker(dataDir, port, defaultPartitions, compilation);
        broker.format();
        broker.launch();
        return broker;
    }

    /** The broker's process id, for processor and memory figures. */
    public long pid() {
        return process.pid();
    }

    public String bootstrapServers() {
        return Ports.LOOPBACK + ":" + port;
    }

    /** SIGKILL: the broker loses whatever it had not yet written to its log. */
    public void kill() {
        process.kill();
    }

    /** Starts a stopped or killed broker again on the same port and log directory. */
    public void startAgain() {
        if (process.isAlive()) {
            throw new IllegalStateException("broker is still running");
        }
        launch();
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(20));
    }

    private void format() {
        writeConfig();
        ManagedProcess formatter = ManagedProcess.start("kafka storage format",
                // a tool that runs for seconds: the second compiler would only add compile time
                javaCommand(Compilation.QUICK_START, "kafka.tools.StorageTool", "format", "--ignore-formatted",
                        "-t", Uuid.randomUuid().toString(), "-c", configFile().toString()),
                dataDir.resolve("format.log"));
        formatter.awaitSuccess(Duration.ofSeconds(60));
    }

    private void launch() {
        process = ManagedProcess.start("kafka broker on port " + port,
                javaCommand(compilation, "kafka.Kafka", configFile().toString()), dataDir.resolve("kafka.log"));
        process.awaitReady(this::answersMetadata, STARTUP_TIMEOUT);
    }

    private boolean answersMetadata() {
        if (!Ports.accepting(port)) {
            return false;
        }
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000))) {
            return !admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty();
        } catch (Exception e) {
            return false;
        }
    }

    /** The options the broker's JVM runs with. */
    static List<String> jvmOptions(Compilation compilation) {
        List<String> options = new ArrayList<>(List.of("-Xms128m", "-Xmx768m", "-XX:+UseG1GC"));
        if (compilation == Compilation.QUICK_START) {
            options.add("-XX:TieredStopAtLevel=1");
        }
        return options;
    }

    private List<String> javaCommand(Compilation compilation, String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions(compilation));
        command.addAll(List.of(
                "-Dlogback.configurationFile=" + writeFile("logback.xml", LOGBACK_WARN),
                "-Dlog4j2.configurationFile=" + writeFile("log4j2.properties", LOG4J2_WARN),
                "-cp", System.getProperty("java.class.path"),
                mainClass));
        command.addAll(List.of(args));
        return command;
    }

    private Path configFile() {
        return dataDir.resolve("server.properties");
    }

    private void writeConfig() {
        writeFile("server.properties", """
                process.roles=broker,controller
                node.id=1
                controller.quorum.voters=1@%1$s:%3$d
                listeners=PLAINTEXT://%1$s:%2$d,CONTROLLER://%1$s:%3$d
                advertised.listeners=PLAINTEXT://%1$s:%2$d
                controller.listener.names=CONTROLLER
                inter.broker.listener.name=PLAINTEXT
                listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
                log.dirs=%4$s
                num.partitions=%5$d
                auto.create.topics.enable=false
                offsets.topic.replication.factor=1
                offsets.topic.num.partitions=4
                transaction.state.log.replication.factor=1
                transaction.state.log.min.isr=1
                share.coordinator.state.topic.replication.factor=1
                share.coordinator.state.topic.min.isr=1
                group.initial.rebalance.delay.ms=0
                """.formatted(Ports.LOOPBACK, port, controllerPort, dataDir.resolve("logs").toAbsolutePath(), defaultPartitions));
    }

    private String writeFile(String name, String content) {
        Path file = dataDir.resolve(name);
        try {
            Files.createDirectories(dataDir);
            Files.writeString(file, content);
            return file.toAbsolutePath().toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final String LOGBACK_WARN = """
            <configuration>
              <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{30} - %msg%n</pattern></encoder>
              </appender>
              <root level="WARN"><appender-ref ref="OUT"/></root>
            </configuration>
            """;

    private static final String LOG4J2_WARN = """
            appender.out.type=Console
            appender.out.name=OUT
            appender.out.layout.type=PatternLayout
            appender.out.layout.pattern=%d{HH:mm:ss.SSS} %-5level %c{1} - %msg%n
            rootLogger.level=WARN
            rootLogger.appenderRef.out.ref=OUT
            """;
}
