package io.tiltfleet.notification.escalation;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.notification.policies.NotificationPolicy;
import io.tiltfleet.notification.policies.Rule;
import io.tiltfleet.notification.policies.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which notifications an alert change makes due, and when. A raised alert that matches a rule of its fleet's policy
 * (the first that matches) plans every tier's channels at {@code raisedAt + after}; an escalated one does the same
 * when the rule it now matches did not match it before; an acknowledged or cleared one cancels whatever is still
 * pending. Reminders are planned one at a time, each once the one before was sent ({@link #nextReminder}), since
 * they go on for as long as nobody acknowledges.
 */
public final class EscalationPlanner {

    public static final String UNACKNOWLEDGED = "ACTIVE_UNACKNOWLEDGED";

    /** The type and severity the alert had before this change, if it had a change before. */
    public record Before(String type, String severity) {
    }

    /** @param before null when this is the first change of the alert the service sees */
    public Plan plan(NotificationPolicy policy, SafetyAlertEvent event, Before before) {
        if (event.change() == AlertChange.ACKNOWLEDGED || event.change() == AlertChange.CLEARED || !UNACKNOWLEDGED.equals(event.state())) {
            return Plan.CANCEL;
        }
        if (policy == null) {
            return Plan.NOTHING;
        }
        Optional<Rule> rule = policy.firstMatching(event.type(), event.severity());
        boolean newlyMatched = event.change() == AlertChange.RAISED || before == null
                || rule.filter(r -> !r.matches(before.type(), before.severity())).isPresent();
        return rule.filter(r -> newlyMatched).map(r -> new Plan(tiers(r, event), false)).orElse(Plan.NOTHING);
    }

    private static List<PlannedNotification> tiers(Rule rule, SafetyAlertEvent event) {
        List<PlannedNotification> planned = new ArrayList<>();
        int last = rule.tiers().size() - 1;
        for (int index = 0; index <= last; index++) {
            Tier step = rule.tiers().get(index);
            Duration remind = index == last ? rule.remindEvery() : null;
            // tiers are numbered as people say them: tier 1 first
            for (String channel : step.channels()) {
                planned.add(PlannedNotification.of(event.alertId(), event.fleetId(), event.tableId(), channel, index + 1, 0,
                        event.raisedAt().plus(step.after()), remind));
            }
        }
        return planned;
    }

    /**
     * The reminder after one that was sent (or failed for good), for as long as the alert stays unacknowledged: due
     * {@code remindEvery} after it was due, or now if that is past (the service was down), never a burst of them.
     */
    public Optional<PlannedNotification> nextReminder(PlannedNotification done, String alertState, Instant now) {
        if (done.remindEvery() == null || !UNACKNOWLEDGED.equals(alertState)) {
            return Optional.empty();
        }
        Instant due = done.dueAt().plus(done.remindEvery());
        return Optional.of(PlannedNotification.of(done.alertId(), done.fleetId(), done.tableId(), done.channelId(), done.tier(),
                done.sequence() + 1, due.isBefore(now) ? now : due, done.remindEvery()));
    }
}
