package io.tiltfleet.safety.audit;

import java.time.Instant;
import java.util.Map;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * One accepted change of a fleet's configuration: who made it, when, what it was before and after, and
 * why if asked. Written once and never changed: the API has no way to edit or delete one.
 *
 * @param what    what changed: {@code settings}, {@code profile}, {@code maintenance}, {@code check-in}, {@code registry}, {@code credentials},
 *                {@code acknowledgement} or (written by the notification service) {@code notification-policy}
 * @param tableId the table, for a change of one table; null for the fleet's own
 * @param before  null when there was nothing before (or it is no longer known: a change read only after compaction)
 */
@Document("audit")
public record AuditEntry(@Id String id, String fleetId, Instant at, String by, String what, String tableId,
                         Map<String, Object> before, Map<String, Object> after, String reason) {
}
