package io.tiltfleet.simulator;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Command line: a fleet of virtual inversion tables publishing over MQTT. */
@Command(name = "fleet-simulator", mixinStandardHelpOptions = true,
        description = "Connects virtual inversion tables to an MQTT broker (one MQTT 5 connection each, QoS 1, "
                + "Last Will 'offline') and plays realistic sessions, faults and malformed messages.")
public final class FleetSimulator implements Callable<Integer> {

    @Option(names = "--broker", defaultValue = "tcp://127.0.0.1:1883", description = "MQTT broker URI (default: ${DEFAULT-VALUE})")
    String broker;

    @Option(names = "--fleets", defaultValue = "1", description = "fleets (default: ${DEFAULT-VALUE})")
    int fleets;

    @Option(names = "--tables", defaultValue = "50", description = "tables per fleet (default: ${DEFAULT-VALUE})")
    int tables;

    @Option(names = "--rate", defaultValue = "1", description = "readings per second per table (default: ${DEFAULT-VALUE})")
    double rate;

    @Option(names = "--duration", defaultValue = "PT0S",
            description = "how long to run, ISO-8601 (PT10M); PT0S runs until Ctrl-C (default: ${DEFAULT-VALUE})")
    Duration duration;

    @Option(names = "--seed", defaultValue = "42", description = "random seed: the same seed plays the same fleet (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--mix", defaultValue = ScenarioMix.DEFAULT, description = "scenario weights (default: ${DEFAULT-VALUE})")
    String mix;

    @Option(names = "--malformed", defaultValue = "0.005", description = "share of messages sent malformed, 0-1 (default: ${DEFAULT-VALUE})")
    double malformed;

    @Option(names = "--table-password", description = "password every table signs in to the broker with, as <fleetId>/<tableId>; "
            + "none: anonymously")
    String tablePassword;

    @Option(names = "--credentials", description = "file of '<fleetId>/<tableId> <password>' lines, each table's own (as "
            + "POST /api/fleet/{fleetId}/tables/{tableId}/credentials issues them); instead of --table-password")
    Path credentials;

    @Override
    public Integer call() throws InterruptedException {
        if (fleets < 1 || tables < 1 || rate <= 0 || malformed < 0 || malformed > 1 || duration.isNegative()) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--fleets and --tables must be >= 1, --rate > 0, --malformed within 0-1, --duration not negative");
        }
        TablePasswords passwords;
        try {
            passwords = credentials != null ? TablePasswords.read(credentials) : TablePasswords.same(tablePassword);
        } catch (IOException | IllegalArgumentException e) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--credentials " + credentials + " cannot be read: " + e.getMessage());
        }
        Fleet fleet = new Fleet(new Fleet.Settings(broker, fleets, tables, rate, duration, seed, ScenarioMix.parse(mix), malformed, passwords),
                System.out, Clock.systemUTC());
        Runtime.getRuntime().addShutdownHook(new Thread(fleet::stop, "fleet-stop"));
        fleet.run();
        return 0;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new FleetSimulator()).execute(args));
    }
}
