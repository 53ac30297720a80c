package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.TableRef;
import java.time.Instant;
import java.util.UUID;

/**
 * One change of what a fleet's tables are held to, as it goes on the compacted {@code fleet.config.v1}
 * topic: every safety instance reads all of them in the topic's one order, so that all hold the same
 * settings and profiles, whichever instance an operator's request reached.
 *
 * @param id       unique per change: its audit entry's id, so that every instance reading it records it once
 * @param settings the fleet's whole new settings, for {@link Kind#SETTINGS}
 * @param profile  the table's whole new profile, for {@link Kind#PROFILE}
 * @param maintenance the table's maintenance, for {@link Kind#MAINTENANCE}
 * @param by       who made the change (the caller the gateway named)
 * @param reason   why, if the operator said
 */
public record ConfigChange(String id, Kind kind, String fleetId, String tableId, FleetSettings settings, SafetyProfile profile,
                           Maintenance maintenance, String by, String reason, Instant at) {

    public enum Kind { SETTINGS, PROFILE, MAINTENANCE }

    /** Follows the table's key: ids hold no slash, so it names no table's profile. */
    private static final String MAINTENANCE_KEY_SUFFIX = "/maintenance";

    public static ConfigChange ofSettings(String fleetId, FleetSettings settings, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.SETTINGS, fleetId, null, settings, null, null, by, reason, at);
    }

    public static ConfigChange ofProfile(SafetyProfile profile, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.PROFILE, profile.fleetId(), profile.tableId(), null, profile, null, by, reason, at);
    }

    public static ConfigChange ofMaintenance(Maintenance maintenance, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.MAINTENANCE, maintenance.fleetId(), maintenance.tableId(), null, null,
                maintenance, by, reason, at);
    }

    /**
     * The record's key: the fleet for its settings, fleet and table for a profile, and those with a suffix for a
     * maintenance, so that compaction keeps the last of each.
     */
    public String key() {
        return switch (kind) {
            case SETTINGS -> fleetId;
            case PROFILE -> new TableRef(fleetId, tableId).key();
            case MAINTENANCE -> maintenanceKey(fleetId, tableId);
        };
    }

    static String maintenanceKey(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key() + MAINTENANCE_KEY_SUFFIX;
    }

    /** Whether the value is of the change's own fleet and table: a record that says otherwise is not applied. */
    public boolean consistent() {
        return switch (kind) {
            case SETTINGS -> tableId == null;
            case PROFILE -> fleetId.equals(profile.fleetId()) && tableId != null && tableId.equals(profile.tableId());
            case MAINTENANCE -> fleetId.equals(maintenance.fleetId()) && tableId != null && tableId.equals(maintenance.tableId());
        };
    }

    /** The new value: the settings, the profile or the maintenance. */
    public Object value() {
        return switch (kind) {
            case SETTINGS -> settings;
            case PROFILE -> profile;
            case MAINTENANCE -> maintenance;
        };
    }
}
