package io.tiltfleet.safety.api;

import io.tiltfleet.contract.CallerHeaders;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who is calling, as the gateway says in its headers: the credential's name, and the fleets it may see
 * ({@link CallerHeaders}). Calls without the headers are refused ({@link CallerFilter}) unless the
 * local run allows them, and then see every fleet.
 */
record Caller(String name, Set<String> fleets) {

    static Caller of(String name, String fleets) {
        return new Caller(name, fleets == null ? null
                : Arrays.stream(fleets.split(",")).map(String::trim).filter(fleet -> !fleet.isEmpty()).collect(Collectors.toSet()));
    }

    /** Whether the caller is limited to some fleets, and so must name one of them to list alerts. */
    boolean limited() {
        return fleets != null && !fleets.contains(CallerHeaders.EVERY_FLEET);
    }

    boolean maySee(String fleetId) {
        return fleets == null || fleets.contains(CallerHeaders.EVERY_FLEET) || fleets.contains(fleetId);
    }
}
