package io.tiltfleet.notification.policies;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/** A policy as the API shows it: durations as ISO-8601, and whether a secret is set, never the secret itself. */
public record PolicyView(String fleetId, List<ChannelView> channels, List<RuleView> rules, Instant updatedAt) {

    public record ChannelView(String id, String kind, String url, List<String> recipients, boolean secretSet) {
    }

    public record RuleView(Set<String> types, Set<String> severities, List<TierView> tiers, String remindEvery) {
    }

    public record TierView(String after, List<String> channels) {
    }

    static PolicyView of(NotificationPolicy policy) {
        return new PolicyView(policy.fleetId(),
                policy.channels().stream().map(c -> new ChannelView(c.id(), c.kind().name(), c.url(), c.recipients(), c.secret() != null)).toList(),
                policy.rules().stream().map(r -> new RuleView(r.types(), r.severities(),
                        r.tiers().stream().map(t -> new TierView(t.after().toString(), t.channels())).toList(),
                        r.remindEvery() == null ? null : r.remindEvery().toString())).toList(),
                policy.updatedAt());
    }

}
