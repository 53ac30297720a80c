package io.tiltfleet.safety.api;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling, as the gateway says in its headers: the credential's name, and the fleets it may see
 * ({@code *}: every fleet). Calls without the headers are refused ({@link CallerFilter}) unless the
 * local run allows them, and then see every fleet.
 */
record Caller(String name, Set<String> fleets) {

    /** Set by the gateway (io.tiltfleet.gateway.security.FleetScope), replacing whatever a client sent. */
    static final String NAME_HEADER = "X-TiltFleet-Caller";
    static final String FLEETS_HEADER = "X-TiltFleet-Fleets";

    static Caller of(String name, String fleets) {
        return new Caller(name, fleets == null ? null
                : Arrays.stream(fleets.split(",")).map(String::trim).filter(fleet -> !fleet.isEmpty()).collect(Collectors.toSet()));
    }

    /** Whether the caller is limited to some fleets, and so must name one of them to list alerts. */
    boolean limited() {
        return fleets != null && !fleets.contains("*");
    }

    boolean maySee(String fleetId) {
        return fleets == null || fleets.contains("*") || fleets.contains(fleetId);
    }
}
