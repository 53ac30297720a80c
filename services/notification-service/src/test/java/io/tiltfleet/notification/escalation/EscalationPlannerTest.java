package io.tiltfleet.notification.escalation;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.notification.channels.ChannelKind;
import io.tiltfleet.notification.policies.Channel;
import io.tiltfleet.notification.policies.NotificationPolicy;
import io.tiltfleet.notification.policies.Rule;
import io.tiltfleet.notification.policies.Tier;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EscalationPlannerTest {

    static final Instant RAISED = Instant.parse("2026-12-01T10:00:00Z");
    static final NotificationPolicy POLICY = new NotificationPolicy("clinic", List.of(
            new Channel("ops", ChannelKind.WEBHOOK, "https://ops.example/hook", "0123456789abcdef", List.of()),
            new Channel("nurse", ChannelKind.EMAIL, null, null, List.of("nurse@clinic.example"))),
            List.of(new Rule(Set.of("OVER_ANGLE"), Set.of("CRITICAL"), List.of(new Tier(Duration.ZERO, List.of("ops")),
                    new Tier(Duration.ofMinutes(5), List.of("nurse"))), Duration.ofMinutes(10))), RAISED);

    final EscalationPlanner planner = new EscalationPlanner();

    static SafetyAlertEvent event(AlertChange change, String severity, String state) {
        return new SafetyAlertEvent("a-1", "clinic", "t-1", change, "OVER_ANGLE", severity, state, "angle 80 > 60", RAISED,
                RAISED.plusSeconds(30), null, null, null);
    }

    @Test
    void aRaisedAlertPlansEveryTierAtRaisedAtPlusItsDelay() {
        Plan plan = planner.plan(POLICY, event(AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"), null);

        assertThat(plan.cancelPending()).isFalse();
        assertThat(plan.notifications()).extracting(PlannedNotification::idempotencyKey, PlannedNotification::dueAt, PlannedNotification::remindEvery)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("a-1:1:ops:0", RAISED, null),                          // first tier at once
                        org.assertj.core.groups.Tuple.tuple("a-1:2:nurse:0", RAISED.plusSeconds(300), Duration.ofMinutes(10))); // last tier reminds
    }

    @Test
    void anAlertNoRuleMatchesPlansNothing() {
        assertThat(planner.plan(POLICY, event(AlertChange.RAISED, "WARNING", "ACTIVE_UNACKNOWLEDGED"), null).notifications()).isEmpty();
        assertThat(planner.plan(null, event(AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"), null).notifications()).isEmpty();
    }

    @Test
    void anAlertEscalatedIntoARuleItDidNotMatchBeforeIsPlanned() {
        Plan plan = planner.plan(POLICY, event(AlertChange.ESCALATED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"),
                new EscalationPlanner.Before("OVER_ANGLE", "WARNING"));

        assertThat(plan.notifications()).extracting(PlannedNotification::idempotencyKey).containsExactly("a-1:1:ops:0", "a-1:2:nurse:0");
    }

    @Test
    void anEscalationWithinTheSameRulePlansNothingNew() {
        Plan plan = planner.plan(POLICY, event(AlertChange.ESCALATED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"),
                new EscalationPlanner.Before("OVER_ANGLE", "CRITICAL"));

        assertThat(plan.notifications()).isEmpty();
        assertThat(plan.cancelPending()).isFalse();
    }

    @Test
    void anAcknowledgementOrAClearingCancelsWhatIsPending() {
        assertThat(planner.plan(POLICY, event(AlertChange.ACKNOWLEDGED, "CRITICAL", "ACTIVE_ACKNOWLEDGED"), null).cancelPending()).isTrue();
        assertThat(planner.plan(POLICY, event(AlertChange.CLEARED, "CRITICAL", "CLEARED_UNACKNOWLEDGED"), null).cancelPending()).isTrue();
    }

    @Test
    void remindersFollowTheLastTierWhileUnacknowledgedWithTheNextSequence() {
        PlannedNotification lastTier = planner.plan(POLICY, event(AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"), null).notifications().get(1);

        PlannedNotification first = planner.nextReminder(lastTier, "ACTIVE_UNACKNOWLEDGED", RAISED.plusSeconds(301)).orElseThrow();
        PlannedNotification second = planner.nextReminder(first, "ACTIVE_UNACKNOWLEDGED", RAISED.plusSeconds(901)).orElseThrow();

        assertThat(first.idempotencyKey()).isEqualTo("a-1:2:nurse:1");
        assertThat(first.dueAt()).isEqualTo(RAISED.plusSeconds(900));
        assertThat(second.idempotencyKey()).isEqualTo("a-1:2:nurse:2");
        assertThat(second.dueAt()).isEqualTo(RAISED.plusSeconds(1500));
        assertThat(planner.nextReminder(first, "ACTIVE_ACKNOWLEDGED", RAISED.plusSeconds(901))).isEmpty();   // acknowledged: no more
    }

    @Test
    void aReminderLongOverdueIsDueNowNotInABurst() {
        PlannedNotification lastTier = planner.plan(POLICY, event(AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"), null).notifications().get(1);
        Instant muchLater = RAISED.plus(Duration.ofHours(3));

        assertThat(planner.nextReminder(lastTier, "ACTIVE_UNACKNOWLEDGED", muchLater).orElseThrow().dueAt()).isEqualTo(muchLater);
    }

    @Test
    void aTierThatIsNotTheLastNeverReminds() {
        PlannedNotification firstTier = planner.plan(POLICY, event(AlertChange.RAISED, "CRITICAL", "ACTIVE_UNACKNOWLEDGED"), null).notifications().get(0);

        assertThat(planner.nextReminder(firstTier, "ACTIVE_UNACKNOWLEDGED", RAISED)).isEmpty();
    }
}
