package io.tiltfleet.notification.api;

import io.tiltfleet.contract.CallerHeaders;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The fleets a caller may see, as the gateway names them ({@link CallerHeaders#FLEETS}); null fleets for a
 * call without the gateway's headers, answered only where the local profile allows it.
 */
public record Caller(Set<String> fleets) {

    public static Caller of(String fleets) {
        return new Caller(fleets == null ? null
                : Arrays.stream(fleets.split(",")).map(String::trim).filter(fleet -> !fleet.isEmpty()).collect(Collectors.toSet()));
    }

    /** Whether the caller is limited to some fleets, and so must name one of them to list deliveries. */
    public boolean limited() {
        return fleets != null && !fleets.contains(CallerHeaders.EVERY_FLEET);
    }

    public boolean maySee(String fleetId) {
        return !limited() || fleets.contains(fleetId);
    }
}
