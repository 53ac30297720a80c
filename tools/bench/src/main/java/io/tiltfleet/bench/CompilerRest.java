package io.tiltfleet.bench;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Warm-up rounds until the JIT compilers of the processes measured take under a tenth of a core, at most
 * {@value #MOST_ROUNDS}: on two shared cores they took most of one for minutes, which a platform running
 * for days does not pay, and which would be counted as the cost of the work timed after.
 */
final class CompilerRest {

    static final int MOST_ROUNDS = 5;
    private static final double RESTING_PERCENT_OF_A_CORE = 10;

    /** One warm-up round; what it returns is printed after the compilers' share, such as its throughput. */
    interface Round {
        String run(int round) throws Exception;
    }

    private CompilerRest() {
    }

    /** @param compilers whose compilers are measured, as printed ("the JVMs'"), and their processor time so far */
    static void warmUp(String whose, Supplier<Duration> compilers, Round round) throws Exception {
        for (int number = 1; number <= MOST_ROUNDS; number++) {
            Duration before = compilers.get();
            Instant start = Instant.now();
            String done = round.run(number);
            double share = PipelineBenchmark.share(compilers.get().minus(before), IngestBenchmark.seconds(start));
            System.out.printf("  warm-up round %d: %s compilers %.0f%% of a core%s%n", number, whose, share, done);
            if (share < RESTING_PERCENT_OF_A_CORE) {
                return;
            }
        }
    }
}
