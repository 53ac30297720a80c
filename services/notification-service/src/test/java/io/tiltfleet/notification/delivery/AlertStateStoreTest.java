package io.tiltfleet.notification.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.SafetyAlertEvent;
import io.tiltfleet.notification.escalation.EscalationPlanner;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.Test;

class AlertStateStoreTest {

    /** As the safety service stamps its changes: its clock, to the microsecond. */
    static final Instant RAISED = Instant.parse("2026-12-01T10:00:00.123456Z");
    static final Instant ESCALATED = Instant.parse("2026-12-01T10:00:30.654321Z");

    static SafetyAlertEvent event(AlertChange change, String severity, Instant updatedAt) {
        return new SafetyAlertEvent("a-1", "clinic", "t-1", change, "OVER_ANGLE", severity, "ACTIVE_UNACKNOWLEDGED", "angle 80 > 60",
                RAISED, updatedAt, null, null, null);
    }

    /** What a state reads as once stored: MongoDB keeps dates to the millisecond. */
    static AlertStateStore.AlertState readBack(AlertStateStore.AlertState s) {
        return new AlertStateStore.AlertState(s.alertId(), s.fleetId(), s.tableId(), s.type(), s.severity(), s.state(), s.reason(),
                s.raisedAt().truncatedTo(ChronoUnit.MILLIS), s.updatedAt().truncatedTo(ChronoUnit.MILLIS), s.typeBefore(), s.severityBefore(),
                s.location());
    }

    @Test
    void anEscalationDeliveredAgainKeepsTheSeverityFromBeforeItThoughMongoDbKeepsMilliseconds() {
        SafetyAlertEvent escalated = event(AlertChange.ESCALATED, "CRITICAL", ESCALATED);
        AlertStateStore.AlertState raised = readBack(AlertStateStore.after(null, event(AlertChange.RAISED, "WARNING", RAISED)));
        AlertStateStore.AlertState afterEscalation = readBack(AlertStateStore.after(raised, escalated));

        // the instance stored the state, then died before its plan was stored: the event comes again
        AlertStateStore.AlertState again = AlertStateStore.after(afterEscalation, escalated);

        assertThat(again.before()).isEqualTo(new EscalationPlanner.Before("OVER_ANGLE", "WARNING"));
    }

    @Test
    void aLaterChangeTakesTheSeverityItReplaces() {
        AlertStateStore.AlertState raised = readBack(AlertStateStore.after(null, event(AlertChange.RAISED, "WARNING", RAISED)));

        AlertStateStore.AlertState escalated = AlertStateStore.after(raised, event(AlertChange.ESCALATED, "CRITICAL", ESCALATED));

        assertThat(escalated.before()).isEqualTo(new EscalationPlanner.Before("OVER_ANGLE", "WARNING"));
        assertThat(escalated.severity()).isEqualTo("CRITICAL");
    }
}
