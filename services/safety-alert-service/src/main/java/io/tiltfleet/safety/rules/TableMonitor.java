package io.tiltfleet.safety.rules;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The safety rules for one table, fed reading by reading, status by status and tick by tick, and
 * returning what changed: alerts raised, escalated or cleared. Readings already seen (same or older
 * {@code seq}, unless a reboot started a new session later) change nothing, so duplicates and
 * reordering cannot raise or clear an alert twice. Not thread-safe: one table is fed by one thread.
 */
public final class TableMonitor {

    /** Why an alert type is active now, and how bad it is. */
    public record Condition(Severity severity, String reason) {
    }

    /**
     * Everything the rules remember about one table: stored after each batch and loaded after a restart
     * or a rebalance, so that a new owner neither forgets an open condition nor raises it again.
     */
    public record Memory(TelemetryReading last, Instant lastObservedAt, Instant aboveLimitSince, Duration steepTime,
                         Map<AlertType, Condition> active, Instant lastStatusAt) {

        public Memory {
            active = active.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(active));
        }
    }

    private final String fleetId;
    private final String tableId;
    private SafetyLimits limits;
    private final Map<AlertType, Condition> active = new EnumMap<>(AlertType.class);
    private TelemetryReading last;
    private Instant lastObservedAt;
    private Instant aboveLimitSince;
    private Duration steepTime = Duration.ZERO;
    /** When the newest status applied reached the platform: an older one, arriving late, changes nothing. */
    private Instant lastStatusAt;
    /**
     * Warnings held back while the table is under maintenance: as good as open to the rules that judge by their
     * own open condition (the over-angle band and timer), but never raised. Not remembered across a restart.
     */
    private final Map<AlertType, Condition> held = new EnumMap<>(AlertType.class);
    /** The platform's time of what is being judged: maintenance is judged by it, never by a table's own clock. */
    private Instant platformTime;

    public TableMonitor(String fleetId, String tableId, SafetyLimits limits) {
        this.fleetId = fleetId;
        this.tableId = tableId;
        this.limits = limits;
    }

    public static TableMonitor remembering(String fleetId, String tableId, SafetyLimits limits, Memory memory) {
        TableMonitor monitor = new TableMonitor(fleetId, tableId, limits);
        monitor.last = memory.last();
        monitor.lastObservedAt = memory.lastObservedAt();
        monitor.aboveLimitSince = memory.aboveLimitSince();
        monitor.steepTime = memory.steepTime() == null ? Duration.ZERO : memory.steepTime();
        monitor.active.putAll(memory.active());
        monitor.lastStatusAt = memory.lastStatusAt();
        return monitor;
    }

    public Memory memory() {
        return new Memory(last, lastObservedAt, aboveLimitSince, steepTime, active, lastStatusAt);
    }

    /**
     * New limits (a profile change) apply from the next reading on; an alert of the rule that no longer
     * applies (over-angle once inversion is forbidden, contraindicated use once it is allowed again) is
     * cleared at once, since nothing would ever clear it otherwise.
     */
    public List<AlertSignal> apply(SafetyLimits newLimits, Instant at) {
        this.limits = newLimits;
        platformTime = at;
        List<AlertSignal> changes = new ArrayList<>();
        settle(changes, newLimits.forbidsInversion() ? AlertType.OVER_ANGLE : AlertType.CONTRAINDICATED_USE, null, null, at);
        if (newLimits.forbidsInversion()) {
            aboveLimitSince = null;
        }
        return changes;
    }

    public List<AlertSignal> onReading(TelemetryReading reading, Instant observedAt) {
        if (alreadySeen(reading)) {
            return List.of();
        }
        platformTime = observedAt;
        TelemetryReading previous = last;
        accumulateSteepTime(previous, reading);
        last = reading;
        lastObservedAt = observedAt;
        List<AlertSignal> changes = new ArrayList<>();
        Instant at = reading.ts();
        if (limits.forbidsInversion()) {
            settle(changes, AlertType.OVER_ANGLE, null, reading, at);
            settle(changes, AlertType.CONTRAINDICATED_USE, contraindicatedUse(reading), reading, at);
        } else {
            settle(changes, AlertType.CONTRAINDICATED_USE, null, reading, at);
            settle(changes, AlertType.OVER_ANGLE, overAngle(reading), reading, at);
        }
        settle(changes, AlertType.OVER_DURATION, overDuration(reading), reading, at);
        settle(changes, AlertType.LOCK_OPEN_WHILE_INVERTED, lockOpen(reading), reading, at);
        settle(changes, AlertType.RAPID_RETURN, rapidReturn(previous, reading), reading, at);
        settle(changes, AlertType.SILENT_WHILE_INVERTED, null, reading, at);
        return changes;
    }

    /**
     * A status that reached the platform before the newest reading or status already seen is stale (the
     * two topics are read independently, so it may come late) and changes nothing. It is judged by when
     * it reached the platform, not by its own {@code ts}: a Last Will carries the time its table
     * connected, long before the broker publishes it.
     */
    public List<AlertSignal> onStatus(TableStatus status, Instant observedAt) {
        if (lastObservedAt != null && observedAt.isBefore(lastObservedAt) || lastStatusAt != null && observedAt.isBefore(lastStatusAt)) {
            return List.of();
        }
        lastStatusAt = observedAt;
        platformTime = observedAt;
        List<AlertSignal> changes = new ArrayList<>();
        if (status.state() == TableStatus.State.OFFLINE && inverted()) {
            settle(changes, AlertType.SILENT_WHILE_INVERTED, new Condition(Severity.CRITICAL, because(
                    "table went offline while the user was at %.1f degrees head-down", last.angleDeg())), null, observedAt);
        }
        return changes;
    }

    /** Time alone raises an alert: a table that stops talking while someone hangs upside down. */
    public List<AlertSignal> onClock(Instant now) {
        platformTime = now;
        List<AlertSignal> changes = new ArrayList<>();
        if (inverted() && Duration.between(lastObservedAt, now).compareTo(limits.silenceTimeout()) > 0) {
            settle(changes, AlertType.SILENT_WHILE_INVERTED, new Condition(Severity.CRITICAL, because(
                    "no reading for %d s while the user was at %.1f degrees head-down",
                    Duration.between(lastObservedAt, now).toSeconds(), last.angleDeg())), null, now);
        }
        return changes;
    }

    private boolean alreadySeen(TelemetryReading reading) {
        if (last == null || reading.seq() > last.seq()) {
            return false;
        }
        boolean rebootedIntoNewSession = !Objects.equals(reading.sessionId(), last.sessionId()) && reading.ts().isAfter(last.ts());
        return !rebootedIntoNewSession;
    }

    private boolean inverted() {
        return last != null && last.angleDeg() > limits.headDownAngleDeg();
    }

    private Condition overAngle(TelemetryReading reading) {
        double limit = limits.maxAngleAt(platformTime);
        Condition current = active.getOrDefault(AlertType.OVER_ANGLE, held.get(AlertType.OVER_ANGLE));
        if (reading.angleDeg() <= limit) {
            aboveLimitSince = reading.angleDeg() < limit - limits.hysteresisDeg() || current == null ? null : aboveLimitSince;
            return aboveLimitSince == null ? null : current;
        }
        aboveLimitSince = aboveLimitSince == null ? reading.ts() : aboveLimitSince;
        Duration above = Duration.between(aboveLimitSince, reading.ts());
        if (current == null && above.compareTo(limits.overAngleDebounce()) < 0) {
            return null;
        }
        boolean critical = reading.angleDeg() >= limit + limits.criticalExcessDeg() || above.compareTo(limits.criticalAfter()) >= 0;
        return new Condition(critical ? Severity.CRITICAL : Severity.WARNING, because(
                "angle %.1f degrees above the table's limit of %.0f for %d s", reading.angleDeg(), limit, above.toSeconds()));
    }

    private Condition contraindicatedUse(TelemetryReading reading) {
        if (reading.angleDeg() <= limits.headDownAngleDeg()) {
            return null;
        }
        return new Condition(Severity.CRITICAL, because("head-down at %.1f degrees on a table whose profile forbids inversion",
                reading.angleDeg()));
    }

    private Condition overDuration(TelemetryReading reading) {
        if (!inSession(reading)) {
            return null;
        }
        List<String> overruns = new ArrayList<>();
        if (reading.elapsedS() > limits.maxSession().toSeconds()) {
            overruns.add(String.format(Locale.ROOT, "session at %.0f min, the limit is %d min", reading.elapsedS() / 60, limits.maxSession().toMinutes()));
        }
        if (steepTime.compareTo(limits.maxSteepTime()) > 0) {
            overruns.add(String.format(Locale.ROOT, "%d s above %.0f degrees in this session, the limit is %d s",
                    steepTime.toSeconds(), limits.steepAngleDeg(), limits.maxSteepTime().toSeconds()));
        }
        return overruns.isEmpty() ? active.get(AlertType.OVER_DURATION) : new Condition(Severity.WARNING, because("%s", String.join("; ", overruns)));
    }

    private Condition lockOpen(TelemetryReading reading) {
        if (reading.locked() || reading.angleDeg() <= limits.headDownAngleDeg()) {
            return null;
        }
        return new Condition(Severity.CRITICAL, because("ankle lock open at %.1f degrees head-down", reading.angleDeg()));
    }

    /** The speed is judged before anything else: the fastest returns end flat or below, and those are the ones to catch. */
    private Condition rapidReturn(TelemetryReading previous, TelemetryReading reading) {
        Condition current = reading.angleDeg() <= 0 ? null : active.get(AlertType.RAPID_RETURN);
        if (previous == null || previous.angleDeg() <= limits.headDownAngleDeg() || !reading.ts().isAfter(previous.ts())) {
            return current;
        }
        double seconds = Duration.between(previous.ts(), reading.ts()).toMillis() / 1000.0;
        double degreesPerSecond = (previous.angleDeg() - reading.angleDeg()) / seconds;
        if (degreesPerSecond <= limits.rapidReturnDegPerS()) {
            return current;
        }
        return new Condition(Severity.WARNING, because("returning from %.1f degrees at %.0f degrees/s, the limit is %.0f",
                previous.angleDeg(), degreesPerSecond, limits.rapidReturnDegPerS()));
    }

    private void accumulateSteepTime(TelemetryReading previous, TelemetryReading reading) {
        if (!inSession(reading) || previous == null || !Objects.equals(previous.sessionId(), reading.sessionId())) {
            steepTime = Duration.ZERO;
            return;
        }
        if (previous.angleDeg() > limits.steepAngleDeg() && reading.ts().isAfter(previous.ts())) {
            Duration step = Duration.between(previous.ts(), reading.ts());
            steepTime = steepTime.plus(step.compareTo(limits.silenceTimeout()) > 0 ? limits.silenceTimeout() : step);
        }
    }

    private static boolean inSession(TelemetryReading reading) {
        return reading.sessionId() != null && reading.angleDeg() > 0;
    }

    private void settle(List<AlertSignal> changes, AlertType type, Condition now, TelemetryReading reading, Instant at) {
        Condition before = active.get(type);
        if (now == null) {
            held.remove(type);
            if (before != null) {
                active.remove(type);
                changes.add(signal(type, AlertChange.CLEARED, before.severity(), before.reason(), reading, at));
            }
            return;
        }
        boolean maintenance = limits.underMaintenance(platformTime);
        if (before == null && maintenance && now.severity() == Severity.WARNING) {
            held.put(type, now);   // raised when the maintenance ends, if the condition still holds then
            return;
        }
        held.remove(type);
        String reason = maintenance ? now.reason() + " (raised while the table was under maintenance until " + limits.maintenanceUntil() + ")"
                : now.reason();
        if (before == null) {
            active.put(type, new Condition(now.severity(), reason));
            changes.add(signal(type, AlertChange.RAISED, now.severity(), reason, reading, at));
        } else if (now.severity().compareTo(before.severity()) > 0) {
            active.put(type, new Condition(now.severity(), reason));
            changes.add(signal(type, AlertChange.ESCALATED, now.severity(), reason, reading, at));
        }
    }

    private AlertSignal signal(AlertType type, AlertChange change, Severity severity, String reason, TelemetryReading reading, Instant at) {
        return new AlertSignal(fleetId, tableId, type, change, severity, reason, reading, at);
    }

    private String because(String format, Object... args) {
        String reason = String.format(Locale.ROOT, format, args);
        return limits.forbidsInversion() ? reason + " (profile flags: " + limits.contraindicationLabels() + ")" : reason;
    }
}
