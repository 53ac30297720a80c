package io.tiltfleet.safety.profiles;

import io.tiltfleet.safety.SafetyProperties;
import io.tiltfleet.safety.rules.SafetyLimits;
import org.springframework.stereotype.Component;

/** The limits of one table: the defaults, then its fleet's settings, then its own profile. */
@Component
public class LimitsResolver {

    private final SafetyProperties properties;

    public LimitsResolver(SafetyProperties properties) {
        this.properties = properties;
    }

    public SafetyLimits limitsFor(String fleetId, SafetyProfile profile) {
        SafetyLimits d = properties.defaults();
        SafetyProperties.FleetLimits fleet = properties.fleets().get(fleetId);
        SafetyLimits limits = fleet == null ? d : new SafetyLimits(
                fleet.maxAngleDeg() != null ? fleet.maxAngleDeg() : d.maxAngleDeg(), d.overAngleDebounce(), d.hysteresisDeg(),
                d.criticalExcessDeg(), d.criticalAfter(), fleet.maxSession() != null ? fleet.maxSession() : d.maxSession(),
                d.steepAngleDeg(), fleet.maxSteepTime() != null ? fleet.maxSteepTime() : d.maxSteepTime(), d.headDownAngleDeg(),
                fleet.silenceTimeout() != null ? fleet.silenceTimeout() : d.silenceTimeout(), d.rapidReturnDegPerS(), d.contraindications());
        if (profile == null) {
            return limits;
        }
        SafetyLimits angle = profile.maxAngleDeg() == null ? limits : limits.withMaxAngle(profile.maxAngleDeg());
        return angle.withContraindications(profile.contraindications());
    }
}
