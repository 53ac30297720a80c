package io.tiltfleet.notification.policies;

import java.time.Duration;
import java.util.List;

/** The channels told once an alert has been raised for {@code after} and is still unacknowledged. */
public record Tier(Duration after, List<String> channels) {
}
