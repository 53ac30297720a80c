package io.tiltfleet.safety.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.tiltfleet.contract.TelemetryReading;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A patient checked in for a table's next session: their terms hold for that session only. */
class CheckInRulesTest {

    private static final Prescription TWENTY_TO_FORTY_FOR_THREE_MINUTES = new Prescription(20.0, 40.0, 3.0);

    @Test
    void theCheckedInPatientsContraindicationsHoldForTheirSessionOnlyAndItsAlertsNameThem() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-17", Set.of(Contraindication.GLAUCOMA), null, table.now())))
                .nextSession().move(0, 30, 10).hold(30, 5).move(30, 0, 15).hold(0, 5)   // the patient's session: contraindicated
                .nextSession().move(0, 30, 10).hold(30, 5);                  // the next patient's: the check-in is spent

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "CONTRAINDICATED_USE CLEARED CRITICAL");
        assertThat(table.signals.get(0).reason())
                .contains("for a patient whose check-in forbids inversion")
                .endsWith("(patient p-17 checked in; contraindications: glaucoma)");
    }

    @Test
    void aCheckInTakesThePlaceOfTheTablesStandingContraindicationsForItsSession() {
        SafetyLimits heartDisease = SafetyLimits.DEFAULTS.withContraindications(Set.of(Contraindication.HEART_DISEASE));
        ScriptedTable table = new ScriptedTable(heartDisease);
        table.profile(heartDisease.withCheckIn(checkIn("p-18", Set.of(), null, table.now())))
                .move(0, 45, 15).hold(45, 30).move(45, 0, 15).hold(0, 5)   // a patient without contraindications: nothing
                .nextSession().move(0, 45, 15);                              // the table's standing user again

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL");
        assertThat(table.signals.get(0).reason()).endsWith("(profile flags: heart disease)");
    }

    @Test
    void aSessionHeldAboveItsPrescribedBandOrRunningLongerIsOutsideItsPrescription() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-19", Set.of(), TWENTY_TO_FORTY_FOR_THREE_MINUTES, table.now())))
                .move(0, 30, 10).hold(30, 60)     // inside the band
                .hold(42, 1).hold(30, 1)          // a moment above it: nothing
                .hold(45, 5)                      // held above it: a warning
                .hold(38, 5)                      // within 5 degrees below its top: still open
                .hold(30, 10)                     // back inside: cleared
                .hold(30, 120)                    // past 3 minutes: outside again, until the session ends
                .move(30, 0, 10).hold(0, 3);

        assertThat(table.outcome()).containsExactly(
                "OUTSIDE_PRESCRIPTION RAISED WARNING", "OUTSIDE_PRESCRIPTION CLEARED WARNING",
                "OUTSIDE_PRESCRIPTION RAISED WARNING", "OUTSIDE_PRESCRIPTION CLEARED WARNING");
        assertThat(table.signals.get(0).reason()).startsWith("angle 45.0 degrees, above the prescribed 20-40 for 2 s")
                .endsWith("(patient p-19 checked in; prescribed 20-40 degrees for 3 min)");
        assertThat(table.signals.get(2).reason()).startsWith("session at 3.0 min, longer than prescribed");
    }

    @Test
    void aCheckInMadeWhileAnotherPatientsSessionRunsWaitsForTheNextSession() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 45, 15).hold(45, 90);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-20", Set.of(Contraindication.PREGNANCY), null, table.now())))
                .hold(45, 30).move(45, 0, 15).hold(0, 5)   // the earlier patient goes on unaffected
                .nextSession().move(0, 20, 5);              // the checked-in patient's session

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL");
        assertThat(table.signals.get(0).reason()).contains("patient p-20");
    }

    @Test
    void aCheckInForThePatientAlreadyOnTheTableTakesTheRunningSession() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 30, 10).hold(30, 20);
        CheckIn alreadyLyingDown = new CheckIn("c-2", "fleet-1", "table-1", "p-24", Set.of(Contraindication.GLAUCOMA), null, table.now(),
                table.now().plus(Duration.ofHours(2)), null, true);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(alreadyLyingDown)).hold(30, 2).move(30, 0, 10).hold(0, 2)
                .nextSession().move(0, 30, 10);   // the next patient's session: the check-in ended with the first

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "CONTRAINDICATED_USE CLEARED CRITICAL");
    }

    @Test
    void theLastPatientsReadingsFlushedLateNeverTakeTheNextPatientsCheckIn() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 30, 10).hold(30, 20);   // s-1 since T0, seen live
        TelemetryReading buffered = new TelemetryReading("fleet-1", "table-1", 31, ScriptedTable.T0.plusSeconds(31), "s-1", 30, 31, true);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-25", Set.of(Contraindication.GLAUCOMA), null, table.now())));

        // s-1's next reading arrives a minute late (the table was offline): by its arrival it would seem begun after the check-in
        List<AlertSignal> late = table.monitor.onReading(buffered, table.now().plusSeconds(60));
        table.nextSession().move(0, 30, 10);   // the checked-in patient's session

        assertThat(late).isEmpty();
        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL");
        assertThat(table.monitor.memory().checkInSession()).isEqualTo("s-2");
    }

    @Test
    void aCheckInForThePatientOnTheTableNeverTakesASessionTheTableLeftHoursAgo() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 30, 10).hold(30, 20).silent(7200);   // powered off mid-session
        CheckIn onTheTable = new CheckIn("c-3", "fleet-1", "table-1", "p-26", Set.of(Contraindication.GLAUCOMA), null, table.now(),
                table.now().plus(Duration.ofHours(2)), null, true);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(onTheTable)).nextSession().move(0, 30, 10);

        assertThat(table.monitor.memory().checkInSession()).isEqualTo("s-2");
        assertThat(table.outcome()).endsWith("CONTRAINDICATED_USE RAISED CRITICAL");
    }

    @Test
    void anUnseenSessionFlushedLateIsJudgedByTheTablesOwnTimeAndLeavesTheCheckInToTheNextSession() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).hold(0, 5);
        Instant checkedIn = table.now().plusSeconds(120);
        table.silent(120).profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-27", Set.of(Contraindication.GLAUCOMA), null, checkedIn)));
        // a session run while the table was offline, before the check-in, arriving now
        for (int second = 0; second < 10; second++) {
            Instant sent = ScriptedTable.T0.plusSeconds(20 + second);
            assertThat(table.monitor.onReading(new TelemetryReading("fleet-1", "table-1", 100 + second, sent, "s-offline", 30, second, true),
                    table.now())).as("the buffered session's reading %d", second).isEmpty();
        }
        table.nextSession().move(0, 30, 10);

        assertThat(table.monitor.memory().checkInSession()).isEqualTo("s-2");
    }

    @Test
    void aTableWhoseClockIsAMinuteBehindStillTakesItsCheckIn() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS);
        Instant now = table.now();
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-28", Set.of(Contraindication.GLAUCOMA), null, now)));
        List<AlertSignal> raised = new ArrayList<>();
        for (int second = 0; second < 10; second++) {
            Instant arrived = now.plusSeconds(second);
            raised.addAll(table.monitor.onReading(new TelemetryReading("fleet-1", "table-1", second + 1, arrived.minusSeconds(60), "s-9", 30,
                    second, true), arrived));
        }

        assertThat(table.monitor.memory().checkInSession()).isEqualTo("s-9");
        assertThat(raised).extracting(AlertSignal::type).contains(AlertType.CONTRAINDICATED_USE);
    }

    @Test
    void aPatientCheckedInOnATableLyingFlatIsJudgedOnceTheTableTilts() {
        TableMonitor monitor = new TableMonitor("fleet-1", "table-1", SafetyLimits.DEFAULTS);
        Instant t0 = ScriptedTable.T0;
        for (int second = 0; second < 30; second++) {   // a session begun, the table still flat
            monitor.onReading(new TelemetryReading("fleet-1", "table-1", second + 1, t0.plusSeconds(second), "s-1", 0, second, true),
                    t0.plusSeconds(second));
        }
        CheckIn onTheTable = new CheckIn("c-4", "fleet-1", "table-1", "p-29", Set.of(Contraindication.GLAUCOMA), null, t0.plusSeconds(30),
                t0.plus(Duration.ofHours(2)), null, true);
        monitor.apply(SafetyLimits.DEFAULTS.withCheckIn(onTheTable), t0.plusSeconds(30));
        List<AlertSignal> tilted = monitor.onReading(new TelemetryReading("fleet-1", "table-1", 40, t0.plusSeconds(31), "s-1", 30, 31, true),
                t0.plusSeconds(31));

        assertThat(tilted).extracting(AlertSignal::type).containsExactly(AlertType.CONTRAINDICATED_USE);
    }

    @Test
    void aCheckInWithdrawnDuringItsSessionEndsItsTermsAtOnce() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS);
        CheckIn glaucoma = checkIn("p-21", Set.of(Contraindication.GLAUCOMA), null, table.now());
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(glaucoma)).move(0, 30, 10)
                .profile(SafetyLimits.DEFAULTS.withCheckIn(glaucoma.cancelled(table.now())))
                .hold(30, 5);

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "CONTRAINDICATED_USE CLEARED CRITICAL");
    }

    @Test
    void aCheckInNoSessionTookUpInTimeLapses() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS);
        CheckIn glaucoma = new CheckIn("c-1", "fleet-1", "table-1", "p-22", Set.of(Contraindication.GLAUCOMA), null, table.now(),
                table.now().plusSeconds(30), null, false);
        table.profile(SafetyLimits.DEFAULTS.withCheckIn(glaucoma)).hold(0, 40).nextSession().move(0, 30, 10);

        assertThat(table.outcome()).isEmpty();
    }

    @Test
    void aNewOwnerGoesOnWithTheCheckInOfTheRunningSessionAndNeverGivesASpentOneASecondSession() {
        ScriptedTable before = new ScriptedTable(SafetyLimits.DEFAULTS);
        SafetyLimits checkedIn = SafetyLimits.DEFAULTS.withCheckIn(checkIn("p-23", Set.of(Contraindication.GLAUCOMA), null, before.now()));
        before.profile(checkedIn).move(0, 30, 10);
        assertThat(before.monitor.checkInMoved()).isTrue();

        TableMonitor inSession = TableMonitor.remembering("fleet-1", "table-1", checkedIn, before.monitor.memory());
        before.move(30, 0, 10).hold(0, 2).nextSession().move(0, 30, 10);
        TableMonitor afterSession = TableMonitor.remembering("fleet-1", "table-1", checkedIn, before.monitor.memory());

        Instant later = before.now();
        // the running session stays contraindicated (its open alert is not cleared), a third session is not
        assertThat(inSession.onReading(new TelemetryReading("fleet-1", "table-1", 11, later, "s-1", 31, 11, true), later)).isEmpty();
        assertThat(afterSession.onReading(new TelemetryReading("fleet-1", "table-1", 500, later, "s-3", 30, 1, true), later)).isEmpty();
        assertThat(afterSession.memory().checkIn().patientRef()).isEqualTo("p-23");
        assertThat(before.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "CONTRAINDICATED_USE CLEARED CRITICAL");
    }

    private static CheckIn checkIn(String patientRef, Set<Contraindication> contraindications, Prescription prescription, Instant at) {
        return new CheckIn("check-in-" + patientRef, "fleet-1", "table-1", patientRef, contraindications, prescription, at,
                at.plus(Duration.ofHours(2)), null, false);
    }
}
