package io.tiltfleet.analytics.safety;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.support.Acknowledgment;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the safety service's alert events into {@link AlertFacts}, one consumer group for all instances. A batch is
 * acknowledged once its facts are stored; when MongoDB refuses, it is read again after a pause. A record that is not an
 * alert event is skipped and logged: the topic is the safety service's.
 */
@Component
class AlertIntake {

    private static final Logger log = LoggerFactory.getLogger(AlertIntake.class);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration AGAIN_AFTER = Duration.ofSeconds(2);

    private final AlertFacts facts;
    private final JsonMapper json;

    AlertIntake(AlertFacts facts, JsonMapper json) {
        this.facts = facts;
        this.json = json;
    }

    @KafkaListener(id = "analytics-alerts", topics = Topics.SAFETY_ALERTS, groupId = "analytics-alerts", batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records, Acknowledgment acknowledgment) {
        List<SafetyAlertEvent> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                SafetyAlertEvent event = json.readValue(record.value(), SafetyAlertEvent.class);
                if (event == null || event.alertId() == null || event.fleetId() == null || event.tableId() == null || event.raisedAt() == null
                        || event.updatedAt() == null) {
                    throw new IllegalArgumentException("an alert event needs its id, fleet, table, raisedAt and updatedAt");
                }
                events.add(event);
            } catch (JacksonException | IllegalArgumentException e) {
                log.atWarn().addKeyValue("offset", record.offset()).log("Skipping an alert record that cannot be read, {}: {}", record.key(),
                        e.getMessage());
            }
        }
        try {
            facts.record(events).block(STORE_TIMEOUT);
            acknowledgment.acknowledge();
        } catch (RuntimeException storeFailure) {
            log.warn("Storing {} alert events failed, reading them again in {}: {}", events.size(), AGAIN_AFTER, storeFailure.toString());
            // a batch listener's acknowledgment is sent back from a record's index: from the first, the whole batch
            acknowledgment.nack(0, AGAIN_AFTER);
        }
    }
}
