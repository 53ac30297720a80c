package io.tiltfleet.notification.escalation;

import java.util.List;

/**
 * What an alert change means for its notifications: new ones to plan, or everything still pending cancelled.
 *
 * @param cancelPending the alert was acknowledged or cleared: nothing more is sent about it
 */
public record Plan(List<PlannedNotification> notifications, boolean cancelPending) {

    static final Plan NOTHING = new Plan(List.of(), false);
    static final Plan CANCEL = new Plan(List.of(), true);
}
