package io.tiltfleet.notification.delivery;

import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.notification.escalation.EscalationPlanner;
import io.tiltfleet.notification.escalation.Plan;
import io.tiltfleet.notification.policies.PolicyStore;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads every alert change and stores what it plans or cancels. The batch returns, and its offsets are committed
 * (ack-mode batch), only once all of that is stored; if MongoDB refuses, the batch fails from the record that was
 * not stored and comes again from there, and storing one twice changes nothing (idempotency keys). The consumer thread waits for the store: it is no reactive
 * thread, and waiting is what holds the offsets back.
 */
@Component
class AlertIntake {

    private static final Logger log = LoggerFactory.getLogger(AlertIntake.class);
    private static final Duration STORE_TIMEOUT = Duration.ofSeconds(30);
    /** Its own reader: the contract may gain fields, which this service need not know (the API refuses unknown ones). */
    private static final JsonMapper EVENTS = JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final PolicyStore policies;
    private final AlertStateStore alerts;
    private final ScheduleStore schedule;
    private final EscalationPlanner planner = new EscalationPlanner();

    AlertIntake(PolicyStore policies, AlertStateStore alerts, ScheduleStore schedule) {
        this.policies = policies;
        this.alerts = alerts;
        this.schedule = schedule;
    }

    @KafkaListener(id = "notification-alerts", topics = Topics.SAFETY_ALERTS, batch = "true")
    void onBatch(List<ConsumerRecord<String, byte[]>> records) {
        for (int i = 0; i < records.size(); i++) {
            try {
                take(records.get(i)).block(STORE_TIMEOUT);
            } catch (RuntimeException e) {
                // the error handler commits the records before this one and tries again from here: a whole batch
                // timed out on a slow MongoDB would come again whole, time out at the same record, and never pass it
                throw new BatchListenerFailedException("alert event not stored: " + e, e, i);
            }
        }
    }

    private Mono<Void> take(ConsumerRecord<String, byte[]> record) {
        SafetyAlertEvent event;
        try {
            event = EVENTS.readValue(record.value(), SafetyAlertEvent.class);
        } catch (JacksonException e) {
            // the safety service writes these; one it could not have written is skipped, not retried for ever
            log.warn("Skipping an unreadable alert event at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getOriginalMessage());
            return Mono.empty();
        }
        return alerts.find(event.alertId()).map(Optional::of).defaultIfEmpty(Optional.empty()).flatMap(stored -> {
            if (stored.isPresent() && AlertStateStore.asStored(event.updatedAt()).isBefore(stored.get().updatedAt())) {
                return Mono.empty();   // older than what is known already: the later change decided
            }
            AlertStateStore.AlertState after = AlertStateStore.after(stored.orElse(null), event);
            // the state first: a notification claimed right after it is planned finds the alert it reports
            return alerts.save(after).then(policies.find(event.fleetId()).map(Optional::of).defaultIfEmpty(Optional.empty()))
                    .flatMap(policy -> apply(planner.plan(policy.orElse(null), event, after.before()), event));
        });
    }

    private Mono<Void> apply(Plan plan, SafetyAlertEvent event) {
        if (plan.cancelPending()) {
            return schedule.cancel(event.alertId());
        }
        if (!plan.notifications().isEmpty()) {
            log.info("Alert {} {} ({} {}): {} notification(s) planned", event.alertId(), event.change(), event.type(), event.severity(),
                    plan.notifications().size());
        }
        return schedule.plan(plan.notifications());
    }
}
