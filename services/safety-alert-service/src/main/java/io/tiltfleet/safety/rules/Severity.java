package io.tiltfleet.safety.rules;

/** Ordered: a later constant is more severe, and an active alert only ever moves up. */
public enum Severity {
    WARNING,
    CRITICAL;

    public Severity atLeast(Severity other) {
        return compareTo(other) >= 0 ? this : other;
    }
}
