package io.tiltfleet.notification.delivery;

import io.tiltfleet.notification.escalation.PlannedNotification;
import java.time.Duration;
import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * A planned notification as stored until it is sent, its id the idempotency key (so planning it again changes
 * nothing). An instance that claims it holds it until {@code claimedUntil}; past that, another may.
 *
 * @param status        PENDING, DELIVERED, FAILED_FOR_GOOD, REFUSED or CANCELLED
 * @param attempts      attempts made so far
 * @param nextAttemptAt when it may be tried (again)
 */
@Document("scheduled_notification")
record ScheduledNotification(@Id String id, String alertId, String fleetId, String tableId, String channelId, int tier, int sequence,
                             Instant dueAt, Duration remindEvery, String status, int attempts, Instant nextAttemptAt,
                             String claimedBy, Instant claimedUntil) {

    static final String PENDING = "PENDING";
    static final String CANCELLED = "CANCELLED";

    static ScheduledNotification of(PlannedNotification planned) {
        return new ScheduledNotification(planned.idempotencyKey(), planned.alertId(), planned.fleetId(), planned.tableId(),
                planned.channelId(), planned.tier(), planned.sequence(), planned.dueAt(), planned.remindEvery(), PENDING, 0,
                planned.dueAt(), null, Instant.EPOCH);
    }

    PlannedNotification planned() {
        return new PlannedNotification(id, alertId, fleetId, tableId, channelId, tier, sequence, dueAt, remindEvery);
    }
}
