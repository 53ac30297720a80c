package io.tiltfleet.simulator;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Random;

/**
 * One simulated table and its user, session after session. Pure: given the time, it says what the
 * table reports and whether it is connected; the seeded random makes a run reproducible.
 */
public final class TableBehaviour {

    private final String fleetId;
    private final String tableId;
    private final ScenarioMix mix;
    private final Random random;
    private SessionPlan plan;
    private long seq;

    /** One table-level observation: the reading it publishes now, if any, and whether it is online. */
    public record Tick(Optional<TelemetryReading> reading, boolean online, boolean sessionStarted) {
    }

    /**
     * @param start the simulation's start; the first session is already under way at a random point,
     *              so that a fresh run shows every phase at once
     */
    public TableBehaviour(String fleetId, String tableId, ScenarioMix mix, Random random, Instant start) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.mix = mix;
        this.random = random;
        SessionPlan first = SessionPlan.next(mix.pick(random), start, random);
        long spanMillis = Duration.between(first.loadingFrom(), first.nextLoading()).toMillis();
        this.plan = SessionPlan.next(first.scenario(), start.minusMillis((long) (random.nextDouble() * spanMillis)), random);
    }

    public Scenario scenario() {
        return plan.scenario();
    }

    public Tick tick(Instant now) {
        boolean started = false;
        while (!now.isBefore(plan.nextLoading())) {
            plan = SessionPlan.next(mix.pick(random), plan.nextLoading(), random);
            started = true;
        }
        if (plan.scenario() == Scenario.SILENT && !now.isBefore(plan.silentFrom())) {
            return new Tick(Optional.empty(), false, started);
        }
        return new Tick(Optional.of(reading(now)), true, started);
    }

    private TelemetryReading reading(Instant now) {
        seq++;
        if (now.isBefore(plan.start())) {
            boolean loading = !now.isBefore(plan.loadingFrom());
            return new TelemetryReading(fleetId, tableId, seq, now, null, loading ? SessionPlan.LOADING_ANGLE : 0, 0, loading);
        }
        if (!now.isBefore(plan.end())) {
            return new TelemetryReading(fleetId, tableId, seq, now, null, 0, 0, false);
        }
        double elapsed = Duration.between(plan.start(), now).toMillis() / 1000.0;
        return new TelemetryReading(fleetId, tableId, seq, now, plan.sessionId(), round(angle(now)), round(elapsed), locked(now));
    }

    private double angle(Instant now) {
        if (now.isBefore(plan.holdFrom())) {
            return Duration.between(plan.start(), now).toMillis() / 1000.0 * plan.rampDegPerS();
        }
        if (now.isBefore(plan.returnFrom())) {
            return Math.min(90, plan.targetAngle() + random.nextGaussian() * 0.4);
        }
        double back = Duration.between(plan.returnFrom(), now).toMillis() / 1000.0 * plan.returnDegPerS();
        return Math.max(0, plan.targetAngle() - back);
    }

    private boolean locked(Instant now) {
        return plan.scenario() != Scenario.LOCK_OPEN
                || now.isBefore(plan.lockOpenFrom())
                || !now.isBefore(plan.lockOpenFrom().plus(SessionPlan.LOCK_OPEN));
    }

    private static double round(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
