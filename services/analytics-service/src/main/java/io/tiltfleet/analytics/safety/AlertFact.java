package io.tiltfleet.analytics.safety;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.mongodb.core.mapping.Document;

/**
 * What the safety report needs of one alert, kept from its events on {@code safety.alerts.v1}.
 *
 * @param acknowledgedAt when it was first acknowledged, null until then
 * @param criticalAcknowledgedAt when it was first acknowledged while critical: an acknowledged warning escalated to critical
 *                       asks for a new acknowledgement
 * @param clearedAt      when it first cleared, null until then
 * @param criticalAcknowledged true once an event of it while critical says it was acknowledged, even one whose own
 *                       acknowledgement event never came (made while Kafka refused it): it is no longer unacknowledged
 */
@Document(AlertFact.COLLECTION)
public record AlertFact(@Id String alertId, String fleetId, String tableId, String type, String severity, Instant raisedAt,
                        Instant acknowledgedAt, Instant criticalAcknowledgedAt, Instant clearedAt, Boolean criticalAcknowledged) {

    public static final String COLLECTION = "alert_facts";
}
