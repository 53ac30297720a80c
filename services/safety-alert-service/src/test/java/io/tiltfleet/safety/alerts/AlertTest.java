package io.tiltfleet.safety.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.safety.rules.AlertSignal;
import io.tiltfleet.safety.rules.AlertType;
import io.tiltfleet.safety.rules.Severity;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    static AlertSignal signal(AlertChange change, Severity severity, int second) {
        TelemetryReading reading = change == AlertChange.CLEARED ? null
                : new TelemetryReading("fleet-1", "table-1", second, T0.plusSeconds(second), "s-1", 70, second, true);
        return new AlertSignal("fleet-1", "table-1", AlertType.OVER_ANGLE, change, severity, "angle " + second, reading, T0.plusSeconds(second));
    }

    @Test
    void acknowledgedThenClearedIsClosed() {
        Alert alert = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.WARNING, 1))
                .acknowledge("olivia", T0.plusSeconds(5))
                .apply(signal(AlertChange.CLEARED, Severity.WARNING, 9));

        assertThat(alert.state()).isEqualTo(AlertState.CLEARED_ACKNOWLEDGED);
        assertThat(alert.state().open()).isFalse();
        assertThat(alert.acknowledgedBy()).isEqualTo("olivia");
        assertThat(alert.clearedAt()).isEqualTo(T0.plusSeconds(9));
    }

    @Test
    void clearedAlertStaysOpenUntilSomebodyAcknowledgesIt() {
        Alert cleared = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.WARNING, 1)).apply(signal(AlertChange.CLEARED, Severity.WARNING, 9));

        assertThat(cleared.state()).isEqualTo(AlertState.CLEARED_UNACKNOWLEDGED);
        assertThat(cleared.state().open()).isTrue();
        assertThat(cleared.acknowledge("olivia", T0.plusSeconds(20)).state()).isEqualTo(AlertState.CLEARED_ACKNOWLEDGED);
    }

    @Test
    void escalationKeepsTheAlertAndAsksForANewAcknowledgement() {
        Alert alert = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.WARNING, 1))
                .acknowledge("olivia", T0.plusSeconds(3))
                .apply(signal(AlertChange.ESCALATED, Severity.CRITICAL, 8));

        assertThat(alert.id()).isEqualTo("a-1");
        assertThat(alert.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(alert.state()).isEqualTo(AlertState.ACTIVE_UNACKNOWLEDGED);
        assertThat(alert.acknowledgedBy()).isNull();
        assertThat(alert.readings()).extracting(TelemetryReading::seq).containsExactly(1L, 8L);
        assertThat(alert.raisedAt()).isEqualTo(T0.plusSeconds(1));
    }

    @Test
    void conditionReturningBeforeAcknowledgementReopensTheSameAlert() {
        Alert reopened = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.CRITICAL, 1))
                .apply(signal(AlertChange.CLEARED, Severity.CRITICAL, 5))
                .apply(signal(AlertChange.RAISED, Severity.WARNING, 7));

        assertThat(reopened.id()).isEqualTo("a-1");
        assertThat(reopened.state()).isEqualTo(AlertState.ACTIVE_UNACKNOWLEDGED);
        assertThat(reopened.severity()).isEqualTo(Severity.CRITICAL);
        assertThat(reopened.clearedAt()).isNull();
    }

    @Test
    void keepsOnlyTheLatestReadings() {
        Alert alert = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.WARNING, 1));
        for (int second = 2; second <= 15; second++) {
            alert = alert.apply(signal(AlertChange.ESCALATED, Severity.WARNING, second));
        }

        assertThat(alert.readings()).hasSize(Alert.KEPT_READINGS).extracting(TelemetryReading::seq).startsWith(6L).endsWith(15L);
    }

    @Test
    void closedAlertCannotBeAcknowledgedAgain() {
        Alert closed = Alert.raise("a-1", signal(AlertChange.RAISED, Severity.WARNING, 1))
                .apply(signal(AlertChange.CLEARED, Severity.WARNING, 2)).acknowledge("olivia", T0.plusSeconds(3));

        assertThatThrownBy(() -> closed.acknowledge("max", T0.plusSeconds(4))).hasMessageContaining("already cleared and acknowledged");
    }
}
