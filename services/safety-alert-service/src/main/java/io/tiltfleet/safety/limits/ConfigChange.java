package io.tiltfleet.safety.limits;

import io.tiltfleet.contract.TableRef;
import io.tiltfleet.contract.TableRegistration;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.safety.credentials.TableCredentials;
import io.tiltfleet.safety.rules.CheckIn;
import java.time.Instant;
import java.util.UUID;

/**
 * One change of what a fleet's tables are held to, as it goes on the compacted {@code fleet.config.v1}
 * topic, or of its table registry, on {@code table.registry.v1}: every safety instance reads all of them in each
 * topic's one order, so that all hold the same settings, profiles and registry, whichever instance an operator's
 * request reached.
 *
 * @param id       unique per change: its audit entry's id, so that every instance reading it records it once
 * @param settings the fleet's whole new settings, for {@link Kind#SETTINGS}
 * @param profile  the table's whole new profile, for {@link Kind#PROFILE}
 * @param maintenance the table's maintenance, for {@link Kind#MAINTENANCE}
 * @param checkIn  the table's check-in, made or withdrawn, for {@link Kind#CHECK_IN}
 * @param registration the table's registry entry, made, changed or removed, for {@link Kind#REGISTRY}
 * @param credentials where the table's broker account stands (never its password), for {@link Kind#CREDENTIALS}
 * @param by       who made the change (the caller the gateway named)
 * @param reason   why, if the operator said
 */
public record ConfigChange(String id, Kind kind, String fleetId, String tableId, FleetSettings settings, SafetyProfile profile,
                           Maintenance maintenance, CheckIn checkIn, TableRegistration registration, TableCredentials credentials,
                           String by, String reason, Instant at) {

    public enum Kind {
        SETTINGS("settings", Topics.FLEET_CONFIG), PROFILE("profile", Topics.FLEET_CONFIG), MAINTENANCE("maintenance", Topics.FLEET_CONFIG),
        CHECK_IN("check-in", Topics.FLEET_CONFIG), REGISTRY("registry", Topics.TABLE_REGISTRY), CREDENTIALS("credentials", Topics.FLEET_CONFIG);

        /** As the audit trail names it. */
        public final String what;
        /** The log it goes on. */
        public final String topic;

        Kind(String what, String topic) {
            this.what = what;
            this.topic = topic;
        }
    }

    /** These follow the table's key: ids hold no slash, so they name no table's profile. */
    private static final String MAINTENANCE_KEY_SUFFIX = "/maintenance";
    private static final String CHECK_IN_KEY_SUFFIX = "/check-in";
    private static final String CREDENTIALS_KEY_SUFFIX = "/credentials";

    public static ConfigChange ofSettings(String fleetId, FleetSettings settings, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.SETTINGS, fleetId, null, settings, null, null, null, null, null, by,
                reason, at);
    }

    public static ConfigChange ofProfile(SafetyProfile profile, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.PROFILE, profile.fleetId(), profile.tableId(), null, profile, null, null, null, null,
                by, reason, at);
    }

    public static ConfigChange ofMaintenance(Maintenance maintenance, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.MAINTENANCE, maintenance.fleetId(), maintenance.tableId(), null, null,
                maintenance, null, null, null, by, reason, at);
    }

    public static ConfigChange ofCheckIn(CheckIn checkIn, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.CHECK_IN, checkIn.fleetId(), checkIn.tableId(), null, null, null, checkIn,
                null, null, by, reason, at);
    }

    public static ConfigChange ofRegistration(TableRegistration registration, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.REGISTRY, registration.fleetId(), registration.tableId(), null, null, null,
                null, registration, null, by, reason, at);
    }

    public static ConfigChange ofCredentials(TableCredentials credentials, String by, String reason, Instant at) {
        return new ConfigChange(UUID.randomUUID().toString(), Kind.CREDENTIALS, credentials.fleetId(), credentials.tableId(), null, null, null,
                null, null, credentials, by, reason, at);
    }

    /**
     * The record's key: the fleet for its settings, fleet and table for a profile, and those with a suffix for a
     * maintenance, so that compaction keeps the last of each.
     */
    public String key() {
        return switch (kind) {
            case SETTINGS -> fleetId;
            case PROFILE, REGISTRY -> new TableRef(fleetId, tableId).key();
            case MAINTENANCE -> maintenanceKey(fleetId, tableId);
            case CHECK_IN -> checkInKey(fleetId, tableId);
            case CREDENTIALS -> credentialsKey(fleetId, tableId);
        };
    }

    static String maintenanceKey(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key() + MAINTENANCE_KEY_SUFFIX;
    }

    static String checkInKey(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key() + CHECK_IN_KEY_SUFFIX;
    }

    static String credentialsKey(String fleetId, String tableId) {
        return new TableRef(fleetId, tableId).key() + CREDENTIALS_KEY_SUFFIX;
    }

    /** Whether the value is of the change's own fleet and table: a record that says otherwise is not applied. */
    public boolean consistent() {
        return switch (kind) {
            case SETTINGS -> tableId == null;
            case PROFILE -> fleetId.equals(profile.fleetId()) && tableId != null && tableId.equals(profile.tableId());
            case MAINTENANCE -> fleetId.equals(maintenance.fleetId()) && tableId != null && tableId.equals(maintenance.tableId());
            case CHECK_IN -> fleetId.equals(checkIn.fleetId()) && tableId != null && tableId.equals(checkIn.tableId());
            case REGISTRY -> fleetId.equals(registration.fleetId()) && tableId != null && tableId.equals(registration.tableId());
            case CREDENTIALS -> fleetId.equals(credentials.fleetId()) && tableId != null && tableId.equals(credentials.tableId());
        };
    }

    /** The new value: the settings, the profile, the maintenance, the check-in, the registry entry or the broker account's standing. */
    public Object value() {
        return switch (kind) {
            case SETTINGS -> settings;
            case PROFILE -> profile;
            case MAINTENANCE -> maintenance;
            case CHECK_IN -> checkIn;
            case REGISTRY -> registration;
            case CREDENTIALS -> credentials;
        };
    }
}
