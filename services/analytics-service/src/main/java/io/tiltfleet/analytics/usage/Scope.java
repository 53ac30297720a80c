package io.tiltfleet.analytics.usage;

/** Whose usage a rollup counts: one table, or all tables of a fleet. */
public enum Scope {
    TABLE, FLEET
}
