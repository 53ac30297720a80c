package io.tiltfleet.safety.rules;

/** The situations the platform must catch in real time (domain brief), one open alert per table and type. */
public enum AlertType {
    OVER_ANGLE,
    OVER_DURATION,
    SILENT_WHILE_INVERTED,
    LOCK_OPEN_WHILE_INVERTED,
    RAPID_RETURN,
    CONTRAINDICATED_USE,
    /** A checked-in patient's session held above its prescribed band or run past its prescribed length. */
    OUTSIDE_PRESCRIPTION
}
