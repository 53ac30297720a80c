package io.tiltfleet.safety.rules;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Plays a table's session into a {@link TableMonitor}, one reading per second, and records what the rules said. */
final class ScriptedTable {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    final TableMonitor monitor;
    final List<AlertSignal> signals = new ArrayList<>();
    final List<TelemetryReading> sent = new ArrayList<>();
    private Instant now = T0;
    private Instant sessionStart = T0;
    private long seq;
    private int session = 1;
    private boolean locked = true;

    ScriptedTable(SafetyLimits limits) {
        monitor = new TableMonitor("fleet-1", "table-1", limits);
    }

    ScriptedTable hold(double angle, int seconds) {
        for (int i = 0; i < seconds; i++) {
            reading(angle);
        }
        return this;
    }

    /** From one angle to another in equal steps, one reading per second. */
    ScriptedTable move(double from, double to, int seconds) {
        for (int i = 1; i <= seconds; i++) {
            reading(from + (to - from) * i / seconds);
        }
        return this;
    }

    ScriptedTable unlock() {
        locked = false;
        return this;
    }

    ScriptedTable lock() {
        locked = true;
        return this;
    }

    /** Time passes without a reading: the service's clock ticks once a second. */
    ScriptedTable silent(int seconds) {
        for (int i = 0; i < seconds; i++) {
            now = now.plusSeconds(1);
            signals.addAll(monitor.onClock(now));
        }
        return this;
    }

    ScriptedTable offline() {
        signals.addAll(monitor.onStatus(new TableStatus("fleet-1", "table-1", TableStatus.State.OFFLINE, now), now));
        return this;
    }

    /** An offline status that reached the platform {@code secondsAgo} before now, read by the rules only now. */
    ScriptedTable lateOffline(int secondsAgo) {
        Instant reachedPlatform = now.minusSeconds(secondsAgo);
        signals.addAll(monitor.onStatus(new TableStatus("fleet-1", "table-1", TableStatus.State.OFFLINE, reachedPlatform), reachedPlatform));
        return this;
    }

    /** A Last Will: the broker publishes it now, but it carries the time the table connected. */
    ScriptedTable lastWillOfAConnectionMadeAt(Instant connectedAt) {
        signals.addAll(monitor.onStatus(new TableStatus("fleet-1", "table-1", TableStatus.State.OFFLINE, connectedAt), now));
        return this;
    }

    /** The table's profile changes. */
    ScriptedTable profile(SafetyLimits limits) {
        signals.addAll(monitor.apply(limits, now));
        return this;
    }

    /** The next time the table tilts head-down, it begins a session of a new id, its elapsed time counted from then. */
    ScriptedTable nextSession() {
        session++;
        sessionStart = now;
        return this;
    }

    Instant now() {
        return now;
    }

    ScriptedTable replay(TelemetryReading reading) {
        signals.addAll(monitor.onReading(reading, now));
        return this;
    }

    private void reading(double angle) {
        String sessionId = angle > 0 ? "s-" + session : null;
        double elapsed = sessionId == null ? 0 : (now.toEpochMilli() - sessionStart.toEpochMilli()) / 1000.0;
        TelemetryReading reading = new TelemetryReading("fleet-1", "table-1", ++seq, now, sessionId, angle, elapsed, locked);
        sent.add(reading);
        signals.addAll(monitor.onReading(reading, now));
        now = now.plusSeconds(1);
    }

    /** The signals as "TYPE CHANGE SEVERITY" lines, easy to compare with an expected script. */
    List<String> outcome() {
        return signals.stream().map(s -> s.type() + " " + s.change() + " " + s.severity()).toList();
    }
}
