package io.tiltfleet.notification.channels;

import java.time.Instant;

/**
 * What one notification says, for one recipient: exactly the JSON body a WEBHOOK channel receives
 * (docs/notification-service.md), and what the Slack, Teams and e-mail messages are written from.
 */
public record Notification(String idempotencyKey, String alertId, String fleetId, String tableId, String type, String severity,
                           String state, String reason, Instant raisedAt, int tier, int sequence, String acknowledgeUrl,
                           Instant sentAt, String location) {
}
