package io.tiltfleet.analytics.safety;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.analytics.sessions.AngleBand;
import io.tiltfleet.analytics.usage.Usage;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SafetyReportTest {

    static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

    static AlertFact critical(String table, int raisedMinute, Integer acknowledgedAfterS) {
        Instant raised = T0.plusSeconds(60L * raisedMinute);
        return new AlertFact(table + "-" + raisedMinute, "f", table, "OVER_ANGLE", "CRITICAL", raised,
                acknowledgedAfterS == null ? null : raised.plusSeconds(acknowledgedAfterS),
                acknowledgedAfterS == null ? null : raised.plusSeconds(acknowledgedAfterS), null, null);
    }

    static Usage sessions(int sessions, double steepSeconds, double therapeuticSeconds) {
        return new Usage(sessions, Map.of(AngleBand.STEEP_60_75, steepSeconds, AngleBand.BAND_20_40, therapeuticSeconds), 0, 70, 1);
    }

    @Test
    void theMedianTimeToAcknowledgeCountsAcknowledgedCriticalsOnly() {
        SafetyFigures odd = SafetyFigures.of(sessions(4, 0, 600), List.of(critical("t", 1, 30), critical("t", 2, 600), critical("t", 3, 45),
                critical("t", 4, null)));
        SafetyFigures even = SafetyFigures.of(sessions(4, 0, 600), List.of(critical("t", 1, 30), critical("t", 2, 90)));

        assertThat(odd.medianSecondsToAcknowledgeCritical()).isEqualTo(45.0);
        assertThat(odd.criticalUnacknowledged()).isEqualTo(1);
        assertThat(odd.alertsPer100Sessions()).isEqualTo(100.0);
        assertThat(even.medianSecondsToAcknowledgeCritical()).isEqualTo(60.0);
        assertThat(even.alertsPer100Sessions()).isEqualTo(50.0);
    }

    @Test
    void aCriticalWhoseAcknowledgementOnlyItsStateTellsIsNoLongerUnacknowledgedButHasNoTime() {
        AlertFact unacknowledged = critical("t", 1, null);
        AlertFact acknowledgedUntimed = new AlertFact("t-2", "f", "t", "OVER_ANGLE", "CRITICAL", T0, null, null, T0.plusSeconds(60), true);
        // a table's clock ahead of the platform's: acknowledged "before" its raise counts as at once
        AlertFact raisedAhead = new AlertFact("t-3", "f", "t", "OVER_ANGLE", "CRITICAL", T0.plusSeconds(300), T0, T0, null, null);

        SafetyFigures figures = SafetyFigures.of(sessions(3, 0, 0), List.of(unacknowledged, acknowledgedUntimed, raisedAhead));

        assertThat(figures.criticalUnacknowledged()).isEqualTo(1);
        assertThat(figures.medianSecondsToAcknowledgeCritical()).isEqualTo(0.0);
    }

    @Test
    void steepMinutesAndTheTherapeuticShareComeFromTheBands() {
        SafetyFigures figures = SafetyFigures.of(sessions(2, 90, 270), List.of());

        assertThat(figures.minutesAbove60()).isEqualTo(1.5);
        assertThat(figures.therapeuticShare()).isEqualTo(0.75);
        assertThat(figures.medianSecondsToAcknowledgeCritical()).isNull();
        assertThat(SafetyFigures.of(Usage.NONE, List.of(critical("t", 1, 10))).alertsPer100Sessions()).isNull();
    }

    @Test
    void sitesSumTheirTablesAndTablesWithoutASiteComeLast() {
        Map<String, Usage> usage = Map.of("a", sessions(2, 60, 0), "b", sessions(3, 0, 0), "c", sessions(1, 0, 0));
        Map<String, List<AlertFact>> alerts = Map.of("a", List.of(critical("a", 1, 20)), "d", List.of(critical("d", 2, 40)));
        Map<String, String> sites = Map.of("a", "Mitte", "b", "Mitte", "c", "Bondi");

        SafetyReport report = SafetyReport.of("f", "UTC", T0, T0.plusSeconds(86_400), usage, alerts, sites::get);

        assertThat(report.tables()).extracting(SafetyReport.Table::tableId).containsExactly("a", "b", "c", "d");
        assertThat(report.sites()).extracting(SafetyReport.Site::site).containsExactly("Bondi", "Mitte", null);
        assertThat(report.sites().get(1).figures().sessions()).isEqualTo(5);
        assertThat(report.sites().get(1).figures().alerts()).isEqualTo(1);
        assertThat(report.sites().get(2).figures().medianSecondsToAcknowledgeCritical()).isEqualTo(40.0);
        assertThat(report.fleet().sessions()).isEqualTo(6);
        assertThat(report.fleet().medianSecondsToAcknowledgeCritical()).isEqualTo(30.0);
    }
}
