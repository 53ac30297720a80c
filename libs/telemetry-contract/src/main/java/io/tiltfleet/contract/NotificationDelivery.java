package io.tiltfleet.contract;

import java.time.Instant;

/**
 * One attempt to deliver one notification of a safety alert, as published to {@link Topics#NOTIFICATION_DELIVERIES}
 * by the notification service. Attempts of the same notification share its {@code idempotencyKey}.
 *
 * @param idempotencyKey {@code alertId:tier:channelId:sequence}, the same on every attempt and every redelivery
 * @param channelKind    WEBHOOK, SLACK, TEAMS or EMAIL
 * @param tier           the escalation tier, from 0
 * @param sequence       0 for the tier's first send, n for its n-th reminder
 * @param attempt        1 for the first attempt of this notification
 * @param outcome        DELIVERED, RETRYING, FAILED_FOR_GOOD or REFUSED (the address is not one the service may call)
 * @param detail         what the receiver answered, or why nothing was sent
 */
public record NotificationDelivery(String idempotencyKey, String alertId, String fleetId, String tableId, String channelId,
                                   String channelKind, int tier, int sequence, int attempt, String outcome, String detail,
                                   Instant at) {
}
