package io.tiltfleet.safety.alerts;

/** Whether the condition still holds, and whether somebody has taken charge of it. */
public enum AlertState {
    ACTIVE_UNACKNOWLEDGED,
    ACTIVE_ACKNOWLEDGED,
    CLEARED_UNACKNOWLEDGED,
    CLEARED_ACKNOWLEDGED;

    /** Open alerts are the ones that still need someone: all but cleared and acknowledged. */
    public boolean open() {
        return this != CLEARED_ACKNOWLEDGED;
    }

    public boolean active() {
        return this == ACTIVE_UNACKNOWLEDGED || this == ACTIVE_ACKNOWLEDGED;
    }
}
