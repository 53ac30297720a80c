package io.tiltfleet.contract;

/** What happened to a safety alert, as {@link SafetyAlertEvent#change()} says. */
public enum AlertChange {
    RAISED, ESCALATED, CLEARED, ACKNOWLEDGED
}
