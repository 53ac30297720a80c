package io.tiltfleet.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A real Mosquitto broker (Debian's {@code mosquitto}) as a child process on loopback, with
 * persistence, so that it can be killed and restarted without losing queued QoS 1 messages.
 */
public final class MosquittoBroker implements AutoCloseable {

    /** The dynamic-security plugin's administrator, as {@code mosquitto_ctrl dynsec init} makes it. */
    public static final String ADMIN = "admin";
    private static final String INGEST_ROLE = "tiltfleet-ingest";
    private static final String ANONYMOUS = "allow_anonymous true\n";
    /** The dynamic-security plugin's accounts: kept with the broker's data, since the plugin writes every change to it. */
    private static final String DYNAMIC_SECURITY_SEED = "dynamic-security.json";

    private final Path dataDir;
    private final int port;
    private String settings;
    private String adminPassword;
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
        broker.launch(broker.config(ANONYMOUS));
        return broker;
    }

    /**
     * Mosquitto as the platform runs it: every client signs in with an account of the dynamic-security plugin, whose
     * accounts, client ids and topics are changed while it runs, by its administrator ({@value #ADMIN}) over its control
     * topic. The plugin's file is made at the first start ({@code mosquitto_ctrl dynsec init}) and kept in {@code dataDir}
     * with every change; each account's client id is its name ({@code use_username_as_clientid}).
     */
    public static MosquittoBroker startWithDynamicSecurity(Path dataDir, int port, String adminPassword) {
        MosquittoBroker broker = new MosquittoBroker(dataDir, port);
        Path accounts = dataDir.resolve(DYNAMIC_SECURITY_SEED);
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (!Files.exists(accounts)) {
            run(List.of(tool("mosquitto_ctrl"), "dynsec", "init", accounts.toString(), ADMIN, adminPassword));
        }
        broker.adminPassword = adminPassword;
        broker.launch(broker.config("allow_anonymous false\nplugin " + dynamicSecurityPlugin() + "\nplugin_opt_config_file "
                + accounts.toAbsolutePath() + "\nuse_username_as_clientid true\n"));
        // the administrator sets a revoked table's retained status offline, as its Last Will would have (as the seed of infra/mosquitto)
        broker.dynsec(true, "addRoleACL", ADMIN, "publishClientSend", "fleets/+/tables/+/status", "allow");
        return broker;
    }

    /**
     * An account of a platform service that reads every table's messages (the ingest), its client id its name: made
     * if it does not exist, given this password if it does.
     */
    public void addIngestAccount(String username, String password) {
        dynsec(true, "createRole", INGEST_ROLE);
        // the plugin judges a shared subscription by its whole filter, $share/<group>/ included
        for (String filter : List.of("fleets/+/tables/+/telemetry", "fleets/+/tables/+/status", "$share/+/fleets/+/tables/+/telemetry",
                "$share/+/fleets/+/tables/+/status")) {
            dynsec(true, "addRoleACL", INGEST_ROLE, "subscribePattern", filter, "allow");
        }
        if (!dynsec(true, "createClient", username, "-p", password, "-c", username)) {
            dynsec(false, "setClientPassword", username, password);
        }
        dynsec(true, "addClientRole", username, INGEST_ROLE);
    }

    /** @return false when the plugin said it exists already (only then tolerated, with {@code existsIsFine}) */
    private boolean dynsec(boolean existsIsFine, String... command) {
        if (adminPassword == null) {
            throw new IllegalStateException("this broker runs without the dynamic-security plugin");
        }
        List<String> line = new ArrayList<>(List.of(tool("mosquitto_ctrl"), "-h", Ports.LOOPBACK, "-p", String.valueOf(port), "-u", ADMIN,
                "-P", adminPassword, "dynsec"));
        line.addAll(List.of(command));
        String output = run(line);
        if (output.contains("Error")) {
            if (existsIsFine && output.toLowerCase(Locale.ROOT).contains("already")) {
                return false;
            }
            throw new IllegalStateException("mosquitto_ctrl dynsec " + command[0] + " failed: " + output.strip());
        }
        return true;
    }

    /**
     * Mosquitto as a deployment configures it: the {@code mosquitto.conf} of {@code configDir}, its container paths mapped
     * to {@code configDir} and {@code dataDir} (and the image's plugin path to this machine's), its listener moved to a
     * free loopback port; the dynamic-security plugin's seed accounts copied into {@code dataDir}, as the container's
     * first start does.
     */
    public static MosquittoBroker startDeployed(Path dataDir, Path configDir) {
        MosquittoBroker broker = new MosquittoBroker(dataDir, Ports.free());
        try {
            Files.createDirectories(dataDir);
            Path seed = configDir.resolve(DYNAMIC_SECURITY_SEED);
            if (Files.exists(seed) && !Files.exists(dataDir.resolve(DYNAMIC_SECURITY_SEED))) {
                Files.copy(seed, dataDir.resolve(DYNAMIC_SECURITY_SEED));   // as the container does at its first start
            }
            String deployed = Files.readString(configDir.resolve("mosquitto.conf"))
                    .replace("listener 1883", "listener " + broker.port + " " + Ports.LOOPBACK)
                    .replace("/usr/lib/mosquitto_dynamic_security.so", dynamicSecurityPlugin())
                    .replace("/mosquitto/config/", configDir.toAbsolutePath() + "/")
                    .replace("/mosquitto/data/", dataDir.toAbsolutePath() + "/");
            broker.launch(deployed + "\nuser root\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return broker;
    }

    /** Lets this broker's accounts be changed as the plugin's administrator ({@value #ADMIN}), who signs in with this password. */
    public MosquittoBroker administeredWith(String password) {
        this.adminPassword = password;
        return this;
    }

    /** A table's account as the safety service issues one: it may publish its own telemetry and status only; its client id is its name. */
    public void addTableAccount(String fleetId, String tableId, String password) {
        String account = fleetId + "/" + tableId;
        dynsec(true, "createRole", account);
        for (String topic : List.of("telemetry", "status")) {
            dynsec(true, "addRoleACL", account, "publishClientSend", "fleets/" + fleetId + "/tables/" + tableId + "/" + topic, "allow");
        }
        if (!dynsec(true, "createClient", account, "-p", password, "-c", account)) {
            dynsec(false, "setClientPassword", account, password);
        }
        dynsec(true, "addClientRole", account, account);
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
    private String config(String access) {
        // who may connect is a listener's setting: it must follow the listener line, or Mosquitto ignores some of it
        return "listener %d %s\n".formatted(port, Ports.LOOPBACK) + access + """
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
                """.formatted(dataDir.toAbsolutePath());
    }

    private static String executable() {
        return firstOf(List.of("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto", "/usr/bin/mosquitto"));
    }

    private static String tool(String name) {
        return firstOf(List.of("/usr/bin/" + name, "/usr/local/bin/" + name));
    }

    /** Debian's path, then the eclipse-mosquitto image's. */
    public static String dynamicSecurityPlugin() {
        return firstOf(List.of("/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so", "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
                "/usr/lib/mosquitto_dynamic_security.so", "/usr/local/lib/mosquitto_dynamic_security.so"));
    }

    private static String firstOf(List<String> candidates) {
        return candidates.stream().filter(candidate -> Files.exists(Path.of(candidate))).findFirst()
                .orElseThrow(() -> new IllegalStateException("none of " + candidates + " is installed: run 'apt-get install -y mosquitto'"));
    }

    /** @return what it printed; it must have ended, and well unless it printed an error */
    private static String run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 && !output.contains("Error")) {
                throw new IllegalStateException(command.get(0) + " " + command.get(1) + " failed: " + output.strip());
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
