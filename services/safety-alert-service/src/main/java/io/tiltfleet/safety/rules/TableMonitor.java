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

    /** A reading this much older than its arrival was buffered by the table: its arrival says nothing of when it was sent. */
    private static final Duration LATE_ARRIVAL = Duration.ofSeconds(30);
    /** A table last heard of this long ago is not in the session it last reported, whatever that session's id. */
    private static final Duration STILL_REPORTING = Duration.ofMinutes(2);

    /** Why an alert type is active now, and how bad it is. */
    public record Condition(Severity severity, String reason) {
    }

    /**
     * Everything the rules remember about one table: stored after each batch and loaded after a restart
     * or a rebalance, so that a new owner neither forgets an open condition nor raises it again.
     */
    public record Memory(TelemetryReading last, Instant lastObservedAt, Instant aboveLimitSince, Duration steepTime,
                         Map<AlertType, Condition> active, Instant lastStatusAt, CheckIn checkIn, String checkInSession,
                         Instant abovePrescriptionSince, String priorSession, String priorSessionCheckIn) {

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
    /** The check-in the table's current or last session took up: each is taken up by one session only. */
    private CheckIn checkIn;
    /** The session that took up {@link #checkIn}, while it runs; null once it ended. */
    private String checkInSession;
    private Instant abovePrescriptionSince;
    /** How far behind the platform's clock the table's runs, network delay included: learnt anew after a restart. */
    private Duration clockBehind;
    /**
     * The session the rules had seen when the check-in {@link #priorSessionCheckIn} reached them, begun before it: the
     * previous patient's, never that check-in's, however late its readings come (a table flushing what it buffered).
     */
    private String priorSession;
    private String priorSessionCheckIn;
    /** Whether a check-in was taken up or ended since last asked: stored at once, lest a new owner give it a second session. */
    private boolean checkInMoved;

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
        monitor.checkIn = memory.checkIn();
        monitor.checkInSession = memory.checkInSession();
        monitor.abovePrescriptionSince = memory.abovePrescriptionSince();
        monitor.priorSession = memory.priorSession();
        monitor.priorSessionCheckIn = memory.priorSessionCheckIn();
        return monitor;
    }

    public Memory memory() {
        return new Memory(last, lastObservedAt, aboveLimitSince, steepTime, active, lastStatusAt, checkIn, checkInSession, abovePrescriptionSince,
                priorSession, priorSessionCheckIn);
    }

    /** Whether a check-in was taken up by a session or ended since the last ask: its memory must be stored at once. */
    public boolean checkInMoved() {
        boolean moved = checkInMoved;
        checkInMoved = false;
        return moved;
    }

    /**
     * New limits (a profile change) apply from the next reading on; an alert of the rule that no longer
     * applies (over-angle once inversion is forbidden, contraindicated use once it is allowed again) is
     * cleared at once, since nothing would ever clear it otherwise.
     */
    public List<AlertSignal> apply(SafetyLimits newLimits, Instant at) {
        this.limits = newLimits;
        platformTime = at;
        endCheckInIfWithdrawn();
        placeNewCheckIn();
        List<AlertSignal> changes = new ArrayList<>();
        settle(changes, forbidsInversion() ? AlertType.OVER_ANGLE : AlertType.CONTRAINDICATED_USE, null, null, at);
        if (forbidsInversion()) {
            aboveLimitSince = null;
        }
        if (prescription() == null) {
            abovePrescriptionSince = null;
            settle(changes, AlertType.OUTSIDE_PRESCRIPTION, null, null, at);
        }
        return changes;
    }

    public List<AlertSignal> onReading(TelemetryReading reading, Instant observedAt) {
        if (alreadySeen(reading)) {
            return List.of();
        }
        platformTime = observedAt;
        learnClock(reading, observedAt);
        followCheckIn(reading, observedAt);
        TelemetryReading previous = last;
        accumulateSteepTime(previous, reading);
        last = reading;
        lastObservedAt = observedAt;
        List<AlertSignal> changes = new ArrayList<>();
        Instant at = reading.ts();
        if (forbidsInversion()) {
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
        settle(changes, AlertType.OUTSIDE_PRESCRIPTION, outsidePrescription(reading), reading, at);
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

    /**
     * The session that began after the table's latest check-in takes it up, unless an earlier session did; the
     * check-in ends with the session (a reading of another session or of none) or when it is withdrawn.
     */
    private void followCheckIn(TelemetryReading reading, Instant observedAt) {
        if (checkInSession != null && !checkInSession.equals(reading.sessionId())) {
            endCheckIn();
        }
        endCheckInIfWithdrawn();
        CheckIn latest = limits.checkIn();
        boolean previousPatients = latest != null && latest.id().equals(priorSessionCheckIn) && reading.sessionId() != null
                && reading.sessionId().equals(priorSession);
        if (checkInSession == null && latest != null && reading.sessionId() != null && !takenUp(latest) && !previousPatients
                && latest.startsWith(sentAt(reading, observedAt), elapsed(reading))) {
            takeUp(latest, reading.sessionId());
        }
    }

    /**
     * When the reading was sent, by the platform's clock: its arrival, unless it arrived late (a table flushing what it
     * buffered offline), when its own time, set right by how far the table's clock is off, says when its session ran.
     * How far the clock is off is the shortest delay seen from the table's time to the platform's: a table whose clock
     * is behind is not late for it.
     */
    private Instant sentAt(TelemetryReading reading, Instant observedAt) {
        Duration delay = Duration.between(reading.ts(), observedAt);
        return clockBehind == null || delay.minus(clockBehind).compareTo(LATE_ARRIVAL) <= 0 ? observedAt : reading.ts().plus(clockBehind);
    }

    private void learnClock(TelemetryReading reading, Instant observedAt) {
        Duration delay = Duration.between(reading.ts(), observedAt);
        clockBehind = clockBehind == null || delay.compareTo(clockBehind) < 0 ? delay : clockBehind;
    }

    private static Duration elapsed(TelemetryReading reading) {
        return Duration.ofMillis(Math.round(reading.elapsedS() * 1000));
    }

    /**
     * A check-in that reaches the rules while they know of a session: if that session began before the check-in (and the
     * patient is not said to be on the table already), it is the previous patient's and never takes it up; otherwise it
     * is the patient's, running or over (then the check-in is spent), and takes it up at once.
     */
    private void placeNewCheckIn() {
        CheckIn latest = limits.checkIn();
        if (latest == null || latest.cancelledAt() != null || takenUp(latest) || latest.id().equals(priorSessionCheckIn) || checkInSession != null
                || last == null || last.sessionId() == null) {
            return;
        }
        Instant sent = sentAt(last, lastObservedAt);
        Instant began = sent.minus(elapsed(last));
        // a session is running only while the table reports: one it left hours ago (powered off) is over, never the patient's
        boolean running = !lastObservedAt.plus(STILL_REPORTING).isBefore(platformTime);
        if (latest.includeRunningSession()) {
            if (running) {
                takeUp(latest, last.sessionId());
            }
            // otherwise the next session seen takes it up: the patient lies on a table that has not reported yet
        } else if (running && latest.startsWith(sent, elapsed(last))) {
            takeUp(latest, last.sessionId());
        } else if (began.isBefore(latest.at())) {
            priorSession = last.sessionId();
            priorSessionCheckIn = latest.id();
            checkInMoved = true;
        }
    }

    private boolean takenUp(CheckIn latest) {
        return checkIn != null && checkIn.id().equals(latest.id());
    }

    private void takeUp(CheckIn latest, String sessionId) {
        checkIn = latest;
        checkInSession = sessionId;
        abovePrescriptionSince = null;
        checkInMoved = true;
    }

    private void endCheckInIfWithdrawn() {
        CheckIn latest = limits.checkIn();
        if (checkInSession != null && latest != null && latest.id().equals(checkIn.id()) && latest.cancelledAt() != null) {
            endCheckIn();
        }
    }

    private void endCheckIn() {
        checkInSession = null;
        abovePrescriptionSince = null;
        checkInMoved = true;
    }

    /** The check-in whose session runs now, null when none does. */
    private CheckIn sessionCheckIn() {
        return checkInSession == null ? null : checkIn;
    }

    private Prescription prescription() {
        CheckIn current = sessionCheckIn();
        return current == null ? null : current.prescription();
    }

    /** A checked-in patient's own for their session, the table's standing ones otherwise. */
    private boolean forbidsInversion() {
        CheckIn current = sessionCheckIn();
        return !(current != null ? current.contraindications() : limits.contraindications()).isEmpty();
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

    /** Held above the prescribed band past the over-angle debounce (and open until below it by the hysteresis), or longer than prescribed. */
    private Condition outsidePrescription(TelemetryReading reading) {
        Prescription prescription = prescription();
        if (prescription == null || !inSession(reading)) {
            abovePrescriptionSince = null;
            return null;
        }
        boolean open = active.containsKey(AlertType.OUTSIDE_PRESCRIPTION) || held.containsKey(AlertType.OUTSIDE_PRESCRIPTION);
        double leaveBelow = open ? prescription.maxAngleDeg() - limits.hysteresisDeg() : prescription.maxAngleDeg();
        List<String> outside = new ArrayList<>();
        if (reading.angleDeg() > leaveBelow) {
            abovePrescriptionSince = abovePrescriptionSince == null ? reading.ts() : abovePrescriptionSince;
            Duration above = Duration.between(abovePrescriptionSince, reading.ts());
            if (open || above.compareTo(limits.overAngleDebounce()) >= 0) {
                outside.add(String.format(Locale.ROOT, "angle %.1f degrees, above the prescribed %.0f-%.0f for %d s", reading.angleDeg(),
                        prescription.minAngleDeg(), prescription.maxAngleDeg(), above.toSeconds()));
            }
        } else {
            abovePrescriptionSince = null;
        }
        if (reading.elapsedS() > prescription.minutes() * 60) {
            outside.add(String.format(Locale.ROOT, "session at %.1f min, longer than prescribed", reading.elapsedS() / 60));
        }
        return outside.isEmpty() ? null : new Condition(Severity.WARNING, because("%s", String.join("; ", outside)));
    }

    private Condition contraindicatedUse(TelemetryReading reading) {
        if (reading.angleDeg() <= limits.headDownAngleDeg()) {
            return null;
        }
        String whoseFlags = sessionCheckIn() != null ? "for a patient whose check-in forbids inversion" : "on a table whose profile forbids inversion";
        return new Condition(Severity.CRITICAL, because("head-down at %.1f degrees %s", reading.angleDeg(), whoseFlags));
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
        CheckIn current = sessionCheckIn();
        if (current != null) {
            return reason + " (" + current.terms() + ")";
        }
        return limits.contraindications().isEmpty() ? reason : reason + " (profile flags: " + Contraindication.labels(limits.contraindications()) + ")";
    }
}
