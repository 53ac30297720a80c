package io.tiltfleet.simulator;

import java.util.Locale;

/** The kinds of session a simulated user plays, from the situations in the domain brief. */
public enum Scenario {
    /** Mostly 20-60 degrees for a few minutes, slow return: what most sessions look like. */
    NORMAL,
    /** Goes steep, 65-88 degrees: over the default 60-degree limit. */
    STEEP,
    /** Stays inverted 11-15 minutes: over the 10-minute session limit. */
    OVERSTAY,
    /** The table stops talking mid-session and its connection drops: the user may be stuck upside down. */
    SILENT,
    /** The ankle lock reports open for a while during the hold. */
    LOCK_OPEN,
    /** Swings back to upright at 40 degrees per second. */
    FAST_RETURN;

    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Scenario ofLabel(String label) {
        return valueOf(label.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
}
