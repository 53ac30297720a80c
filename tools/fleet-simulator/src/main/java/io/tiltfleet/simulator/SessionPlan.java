package io.tiltfleet.simulator;

import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * One session of one user, planned in advance: when it starts, how steep it goes, how long it holds,
 * how fast it comes back, and the fault it plays, if any.
 */
record SessionPlan(Scenario scenario, String sessionId, Instant loadingFrom, Instant start, double targetAngle,
                   double rampDegPerS, Duration hold, double returnDegPerS, Duration pauseAfter) {

    static final Duration LOADING = Duration.ofSeconds(15);
    static final double LOADING_ANGLE = -65;
    /** How long a silent table stays away before it reconnects. */
    static final Duration SILENCE = Duration.ofSeconds(90);
    static final Duration LOCK_OPEN = Duration.ofSeconds(15);

    static SessionPlan next(Scenario scenario, Instant loadingFrom, Random random) {
        double target = switch (scenario) {
            case STEEP -> between(random, 65, 88);
            case OVERSTAY -> between(random, 30, 55);
            default -> between(random, 20, 60);
        };
        Duration hold = switch (scenario) {
            case OVERSTAY -> seconds(random, 660, 900);
            case STEEP -> seconds(random, 60, 200);
            default -> seconds(random, 90, 300);
        };
        double returnSpeed = scenario == Scenario.FAST_RETURN ? 40 : between(random, 2, 4);
        String sessionId = "s-" + Long.toHexString(random.nextLong() & 0xffffffffffL);
        return new SessionPlan(scenario, sessionId, loadingFrom, loadingFrom.plus(LOADING), target, between(random, 3, 6),
                hold, returnSpeed, seconds(random, 30, 120));
    }

    Instant holdFrom() {
        return start.plusMillis((long) (targetAngle / rampDegPerS * 1000));
    }

    Instant returnFrom() {
        return holdFrom().plus(hold);
    }

    Instant end() {
        return returnFrom().plusMillis((long) (targetAngle / returnDegPerS * 1000));
    }

    Instant silentFrom() {
        return holdFrom().plus(hold.dividedBy(2));
    }

    Instant lockOpenFrom() {
        return holdFrom().plus(hold.dividedBy(3));
    }

    /** When the next session's loading starts: after the return, or after a silent table is back. */
    Instant nextLoading() {
        Instant over = scenario == Scenario.SILENT ? silentFrom().plus(SILENCE) : end();
        return over.plus(pauseAfter);
    }

    private static double between(Random random, double low, double high) {
        return low + random.nextDouble() * (high - low);
    }

    private static Duration seconds(Random random, int low, int high) {
        return Duration.ofSeconds(low + random.nextInt(high - low + 1));
    }
}
