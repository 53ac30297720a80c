package io.tiltfleet.notification.policies;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A fleet's notification policy: its channels, and rules naming them. The first rule that matches an alert decides. */
public record NotificationPolicy(String fleetId, List<Channel> channels, List<Rule> rules, Instant updatedAt) {

    public Optional<Channel> channel(String id) {
        return channels.stream().filter(channel -> channel.id().equals(id)).findFirst();
    }

    public Optional<Rule> firstMatching(String type, String severity) {
        return rules.stream().filter(rule -> rule.matches(type, severity)).findFirst();
    }
}
