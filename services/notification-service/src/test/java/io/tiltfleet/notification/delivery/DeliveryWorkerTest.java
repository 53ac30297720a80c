package io.tiltfleet.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.acklinks.AckLinks;
import io.tiltfleet.notification.channels.ChannelKind;
import io.tiltfleet.notification.channels.ChannelSenders;
import io.tiltfleet.notification.channels.SendResult;
import io.tiltfleet.notification.escalation.PlannedNotification;
import io.tiltfleet.notification.policies.Channel;
import io.tiltfleet.notification.policies.NotificationPolicy;
import io.tiltfleet.notification.policies.PolicyStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.KafkaException;
import reactor.core.publisher.Mono;

class DeliveryWorkerTest {

    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final NotificationProperties PROPERTIES = new NotificationProperties(URI.create("http://127.0.0.1:8082"),
            URI.create("http://127.0.0.1:8080"), "test-ack-link-secret-of-32-characters-at-least", Duration.ofHours(24), false, false, false,
            Duration.ofSeconds(1), Duration.ofSeconds(5), 16, Duration.ofSeconds(20), Duration.ofMinutes(1),
            new NotificationProperties.Delivery(Duration.ofSeconds(2), Duration.ofMinutes(5), 10));

    final AlertStateStore alerts = mock(AlertStateStore.class);
    final PolicyStore policies = mock(PolicyStore.class);
    final ScheduleStore schedule = mock(ScheduleStore.class);
    final ChannelSenders senders = mock(ChannelSenders.class);
    final DeliveryRecorder recorder = mock(DeliveryRecorder.class);
    final DeliveryWorker worker = new DeliveryWorker(alerts, policies, schedule, senders, recorder, mock(AckLinks.class), PROPERTIES,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @Test
    void aDeliveredReminderIsNotMarkedDeliveredBeforeTheNextOneIsStored() {
        Channel nurse = new Channel("nurse", ChannelKind.EMAIL, null, null, List.of("nurse@clinic.example"));
        when(alerts.find("a-1")).thenReturn(Mono.just(new AlertStateStore.AlertState("a-1", "clinic", "t-1", "OVER_ANGLE", "CRITICAL",
                "ACTIVE_UNACKNOWLEDGED", "angle 80 > 60", NOW, NOW, null, null, null)));
        when(policies.find("clinic")).thenReturn(Mono.just(new NotificationPolicy("clinic", List.of(nurse), List.of(), NOW)));
        when(senders.send(eq(nurse), any())).thenReturn(Mono.just(new SendResult(SendResult.Outcome.DELIVERED, "accepted")));
        when(recorder.record(any(), any())).thenReturn(Mono.empty());
        AtomicBoolean markedDelivered = new AtomicBoolean();
        when(schedule.finish(anyString(), any(), anyString(), anyInt())).thenReturn(Mono.fromRunnable(() -> markedDelivered.set(true)));
        // MongoDB goes away right after the send: the next reminder cannot be stored
        when(schedule.plan(any())).thenReturn(Mono.error(new IllegalStateException("MongoDB unreachable")));
        ScheduledNotification claimed = ScheduledNotification.of(PlannedNotification.of("a-1", "clinic", "t-1", "nurse", 0, 1, NOW,
                Duration.ofMinutes(10)));

        assertThatThrownBy(() -> worker.deliver(claimed).block()).hasMessageContaining("MongoDB unreachable");

        // still claimed, so sent again once its lease runs out, and the reminder chain goes on: marked delivered, it would end here
        assertThat(markedDelivered).isFalse();
    }

    @Test
    void aDeliveryIsSettledOnceWhenItsAttemptCannotBeRecorded() {
        Channel nurse = givenAnAlertAndAnEmailChannel();
        when(senders.send(eq(nurse), any())).thenReturn(Mono.just(new SendResult(SendResult.Outcome.DELIVERED, "accepted")));
        when(schedule.finish(anyString(), anyString(), anyString(), anyInt())).thenReturn(Mono.empty());
        when(schedule.plan(any())).thenReturn(Mono.empty());
        when(recorder.record(any(), any())).thenReturn(Mono.error(new KafkaException("deliveries topic unavailable")));

        worker.deliver(claimed()).block();

        verify(schedule).finish(claimed().id(), "instance-1", "DELIVERED", 1);
    }

    @Test
    void aFailedSendCountsItsAttemptWhenItCannotBeRecorded() {
        Channel nurse = givenAnAlertAndAnEmailChannel();
        when(senders.send(eq(nurse), any())).thenReturn(Mono.just(new SendResult(SendResult.Outcome.RETRY, "503")));
        when(schedule.retry(anyString(), anyString(), anyInt(), any())).thenReturn(Mono.empty());
        when(recorder.record(any(), any())).thenReturn(Mono.error(new KafkaException("deliveries topic unavailable")));

        worker.deliver(claimed()).block();

        // attempts counted and the backoff applied, so max-attempts ends the retries
        verify(schedule).retry(claimed().id(), "instance-1", 1, NOW.plusSeconds(2));
    }

    private Channel givenAnAlertAndAnEmailChannel() {
        Channel nurse = new Channel("nurse", ChannelKind.EMAIL, null, null, List.of("nurse@clinic.example"));
        when(alerts.find("a-1")).thenReturn(Mono.just(new AlertStateStore.AlertState("a-1", "clinic", "t-1", "OVER_ANGLE", "CRITICAL",
                "ACTIVE_UNACKNOWLEDGED", "angle 80 > 60", NOW, NOW, null, null, null)));
        when(policies.find("clinic")).thenReturn(Mono.just(new NotificationPolicy("clinic", List.of(nurse), List.of(), NOW)));
        return nurse;
    }

    private static ScheduledNotification claimed() {
        ScheduledNotification planned = ScheduledNotification.of(PlannedNotification.of("a-1", "clinic", "t-1", "nurse", 0, 1, NOW,
                Duration.ofMinutes(10)));
        return new ScheduledNotification(planned.id(), planned.alertId(), planned.fleetId(), planned.tableId(), planned.channelId(),
                planned.tier(), planned.sequence(), planned.dueAt(), planned.remindEvery(), planned.status(), 0, planned.nextAttemptAt(),
                "instance-1", NOW.plusSeconds(20));
    }
}
