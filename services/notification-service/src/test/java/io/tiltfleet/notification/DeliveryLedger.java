package io.tiltfleet.notification;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.notification.channels.Signature;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * What a fault test owed and what the webhook receivers got: the notifications due (their idempotency keys), how
 * many reached a receiver, how many came more than once, and how many never. A notification is told apart by what
 * its body says (alert, tier, channel, sequence), not by its key, so that a repeat under another key shows.
 */
record DeliveryLedger(String scenario, int due, int delivered, int duplicates, int lost, List<String> keyChanges) {

    /** @param dueKeys the keys owed; {@code received} every request the webhook receivers got */
    static DeliveryLedger of(String scenario, Set<String> dueKeys, Collection<Receivers.Received> received) {
        Map<String, List<Receivers.Received>> byNotification = new LinkedHashMap<>();
        for (Receivers.Received request : received) {
            JsonNode body = RunningNotifications.JSON.readTree(request.body());
            String notification = body.path("alertId").asString() + ":" + body.path("tier").asInt() + ":" + request.path() + ":"
                    + body.path("sequence").asInt();
            byNotification.computeIfAbsent(notification, n -> new ArrayList<>()).add(request);
        }
        Set<String> deliveredKeys = byNotification.values().stream().map(first -> first.get(0).header(Signature.IDEMPOTENCY_HEADER))
                .filter(dueKeys::contains).collect(Collectors.toSet());
        int duplicates = byNotification.values().stream().mapToInt(requests -> requests.size() - 1).sum();
        List<String> keyChanges = byNotification.values().stream()
                .filter(requests -> requests.stream().map(r -> r.header(Signature.IDEMPOTENCY_HEADER)).distinct().count() > 1)
                .map(requests -> requests.stream().map(r -> r.header(Signature.IDEMPOTENCY_HEADER)).toList().toString()).toList();
        return new DeliveryLedger(scenario, dueKeys.size(), deliveredKeys.size(), duplicates, dueKeys.size() - deliveredKeys.size(), keyChanges);
    }

    /** Prints the FAULT line the build collects, then holds the test to nothing lost and every repeat under its first key. */
    DeliveryLedger printAndCheck() {
        System.out.println("FAULT notification-%s due=%d delivered=%d duplicates=%d lost=%d".formatted(scenario, due, delivered, duplicates, lost));
        assertThat(lost).as("notifications due and never delivered").isZero();
        assertThat(keyChanges).as("repeats under another idempotency key than the first delivery's").isEmpty();
        return this;
    }
}
