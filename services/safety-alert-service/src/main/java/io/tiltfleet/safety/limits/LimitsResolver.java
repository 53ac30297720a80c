package io.tiltfleet.safety.limits;

import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.SafetyLimits;
import org.springframework.stereotype.Component;

/** The limits of one table: the defaults, then its fleet's settings, then its maintenance, its own profile and its check-in. */
@Component
public class LimitsResolver {

    private final SafetyProperties properties;
    private final FleetConfig config;

    public LimitsResolver(SafetyProperties properties, FleetConfig config) {
        this.properties = properties;
        this.config = config;
    }

    public SafetyLimits limitsFor(String fleetId, String tableId) {
        SafetyLimits fleet = config.settingsOf(fleetId).applyTo(properties.defaults());
        Maintenance maintenance = config.maintenanceOf(fleetId, tableId);
        SafetyLimits maintained = maintenance == null ? fleet : fleet.withMaintenanceUntil(maintenance.until());
        SafetyLimits limits = maintained.withCheckIn(config.checkInOf(fleetId, tableId));
        SafetyProfile profile = config.profileOf(fleetId, tableId);
        if (profile == null) {
            return limits;
        }
        SafetyLimits angle = profile.maxAngleDeg() == null ? limits : profile.maxAngleUntil() == null ? limits.withMaxAngle(profile.maxAngleDeg())
                : limits.withMaxAngleUntil(profile.maxAngleDeg(), profile.maxAngleUntil());
        return angle.withContraindications(profile.contraindications());
    }
}
