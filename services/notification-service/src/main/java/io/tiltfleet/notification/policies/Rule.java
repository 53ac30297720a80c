package io.tiltfleet.notification.policies;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Which alerts go to whom, tier by tier.
 *
 * @param types       alert types it applies to; empty for every type
 * @param severities  severities it applies to; empty for every severity
 * @param remindEvery how often the last tier is reminded while the alert stays unacknowledged; null for never
 */
public record Rule(Set<String> types, Set<String> severities, List<Tier> tiers, Duration remindEvery) {

    public boolean matches(String type, String severity) {
        return (types.isEmpty() || types.contains(type)) && (severities.isEmpty() || severities.contains(severity));
    }
}
