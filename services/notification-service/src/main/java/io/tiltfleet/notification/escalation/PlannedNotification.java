package io.tiltfleet.notification.escalation;

import java.time.Duration;
import java.time.Instant;

/**
 * One notification due at one time over one channel.
 *
 * @param idempotencyKey {@code alertId:tier:channelId:sequence}: the same however often it is planned or sent
 * @param sequence       0 for the tier's first send, n for its n-th reminder
 * @param remindEvery    for the last tier of a rule that reminds: how long after this one the next reminder is due; else null
 */
public record PlannedNotification(String idempotencyKey, String alertId, String fleetId, String tableId, String channelId,
                                  int tier, int sequence, Instant dueAt, Duration remindEvery) {

    public static PlannedNotification of(String alertId, String fleetId, String tableId, String channelId, int tier, int sequence,
                                         Instant dueAt, Duration remindEvery) {
        return new PlannedNotification(alertId + ":" + tier + ":" + channelId + ":" + sequence, alertId, fleetId, tableId, channelId,
                tier, sequence, dueAt, remindEvery);
    }
}
