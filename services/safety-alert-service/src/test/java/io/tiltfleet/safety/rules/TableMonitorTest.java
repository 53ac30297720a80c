package io.tiltfleet.safety.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.tiltfleet.contract.AlertChange;
import io.tiltfleet.contract.TelemetryReading;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TableMonitorTest {

    @Test
    void normalFortyFiveDegreeSessionRaisesNothing() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS)
                .move(0, 45, 10).hold(45, 240).move(45, 0, 20).hold(0, 30);

        assertThat(table.outcome()).isEmpty();
    }

    @Test
    void eightyDegreeExcursionFlappingAroundTheLimitRaisesOneAlertEscalatesAndClearsOnce() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS)
                .move(0, 59, 10)
                .hold(61, 1).hold(59, 1).hold(61, 1).hold(59, 1)   // flaps across 60 faster than the debounce: nothing
                .hold(62, 3)                                       // above 60 for 2 s: warning
                .hold(58, 1).hold(61, 1).hold(57, 1).hold(62, 1)   // flaps inside the 5-degree hysteresis band: stays open
                .move(62, 80, 4)                                   // 80 is 20 above the limit: critical
                .hold(80, 10).hold(70, 5).hold(58, 3)              // back into the band: still open
                .move(58, 40, 3)                                   // below 55: cleared
                .hold(40, 10);

        assertThat(table.outcome()).containsExactly(
                "OVER_ANGLE RAISED WARNING",
                "OVER_ANGLE ESCALATED CRITICAL",
                "OVER_ANGLE CLEARED CRITICAL");   // 80 -> 70 -> 58 -> 40 is at most 12 degrees/s: no rapid return
    }

    @Test
    void longerThanAMinuteAboveTheLimitEscalatesToCritical() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 64, 16).hold(64, 70);

        assertThat(table.outcome()).containsExactly("OVER_ANGLE RAISED WARNING", "OVER_ANGLE ESCALATED CRITICAL");
        assertThat(table.signals.get(1).reason()).contains("above the table's limit of 60");
    }

    @Test
    void underMaintenanceWarningsWaitUntilItEndsWhileCriticalsGoOutSayingSo() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS.withMaintenanceUntil(ScriptedTable.T0.plusSeconds(120)))
                .move(0, 64, 16).hold(64, 30)       // over the limit for half a minute: a warning, held back
                .move(64, 80, 4).hold(80, 2)        // 20 over: critical, under maintenance or not
                .move(80, 40, 5).hold(40, 80)       // back down: cleared; the maintenance ends meanwhile
                .move(40, 64, 5).hold(64, 5);       // over again: now the warning goes out

        assertThat(table.outcome()).containsExactly("OVER_ANGLE RAISED CRITICAL", "OVER_ANGLE CLEARED CRITICAL", "OVER_ANGLE RAISED WARNING");
        assertThat(table.signals.get(0).reason()).endsWith("(raised while the table was under maintenance until 2026-11-25T10:02:00Z)");
        assertThat(table.signals.get(2).reason()).doesNotContain("maintenance");
    }

    @Test
    void underMaintenanceAnAngleSwingingAcrossTheLimitStillTurnsCriticalAfterAMinute() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS.withMaintenanceUntil(ScriptedTable.T0.plusSeconds(600))).move(0, 59, 10);
        for (int swing = 0; swing < 20; swing++) {
            table.hold(61, 3).hold(59, 1);   // over long enough for a warning (held back), then inside the 5-degree band
        }

        assertThat(table.outcome()).containsExactly("OVER_ANGLE RAISED CRITICAL");
    }

    @Test
    void aLimitRaisedUntilATimeHoldsUntilThenAndTheFleetsAfter() {
        SafetyLimits clearedForAMinute = SafetyLimits.DEFAULTS.withMaxAngleUntil(80, ScriptedTable.T0.plusSeconds(60));
        ScriptedTable table = new ScriptedTable(clearedForAMinute).move(0, 70, 10).hold(70, 40)   // at 70 within the clearance: nothing
                .hold(70, 20);                                                                       // past it, 10 over the fleet's 60

        assertThat(table.outcome()).containsExactly("OVER_ANGLE RAISED WARNING");
        assertThat(table.signals.get(0).reason()).contains("above the table's limit of 60");
        assertThat(table.signals.get(0).at()).isAfter(ScriptedTable.T0.plusSeconds(60));
    }

    @Test
    void tableClearedForFullInversionMayHangAtEightyFive() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS.withMaxAngle(90)).move(0, 85, 20).hold(85, 60);

        assertThat(table.outcome()).isEmpty();
    }

    @Test
    void twelveMinuteSessionRaisesOverDurationOnceAtTenMinutesAndClearsWhenTheSessionEnds() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 40, 10).hold(40, 710).move(40, 0, 20);

        assertThat(table.outcome()).containsExactly("OVER_DURATION RAISED WARNING", "OVER_DURATION CLEARED WARNING");
        assertThat(table.signals.get(0).reading().elapsedS()).isEqualTo(601);
        assertThat(table.signals.get(0).reason()).contains("the limit is 10 min");
    }

    @Test
    void moreThanThreeMinutesAboveSixtyInOneSessionIsOverDurationEvenOnATableClearedForIt() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS.withMaxAngle(90)).move(0, 70, 10).hold(70, 200);

        assertThat(table.outcome()).containsExactly("OVER_DURATION RAISED WARNING");
        assertThat(table.signals.get(0).reason()).contains("above 60 degrees in this session, the limit is 180 s");
    }

    @Test
    void tableGoingSilentAtSeventyDegreesRaisesOneCriticalAlertAfterTenSecondsThatClearsWhenItTalksAgain() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS.withMaxAngle(90))
                .move(0, 70, 10).hold(70, 5)
                .silent(30)           // 10 s of silence raise it, the next 20 change nothing
                .offline()            // the Last Will arrives: still the same alert
                .hold(70, 2);         // it talks again

        assertThat(table.outcome()).containsExactly("SILENT_WHILE_INVERTED RAISED CRITICAL", "SILENT_WHILE_INVERTED CLEARED CRITICAL");
        // the last reading came at T0+14 s; the first tick more than 10 s later is T0+25 s
        assertThat(table.signals.get(0).at()).isEqualTo(ScriptedTable.T0.plusSeconds(25));
        assertThat(table.signals.get(0).reason()).contains("no reading for 11 s while the user was at 70.0 degrees head-down");
    }

    @Test
    void offlineStatusWhileInvertedRaisesAtOnceAndSilenceWhileUprightRaisesNothing() {
        ScriptedTable inverted = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 40, 10).offline();
        ScriptedTable upright = new ScriptedTable(SafetyLimits.DEFAULTS).hold(0, 10).silent(60).offline();

        assertThat(inverted.outcome()).containsExactly("SILENT_WHILE_INVERTED RAISED CRITICAL");
        assertThat(upright.outcome()).isEmpty();
    }

    @Test
    void aLastWillStampedWithTheTimeItsTableConnectedStillRaisesAtOnce() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 40, 10).hold(40, 5)
                .lastWillOfAConnectionMadeAt(ScriptedTable.T0.minusSeconds(3600));

        assertThat(table.outcome()).containsExactly("SILENT_WHILE_INVERTED RAISED CRITICAL");
    }

    @Test
    void ankleLockOpeningWhileInvertedIsCriticalUntilItIsLockedAgain() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS)
                .move(0, 45, 10).unlock().hold(45, 5).lock().hold(45, 5)
                .move(45, 0, 20).unlock().hold(0, 5);   // open while upright: getting off the table

        assertThat(table.outcome()).containsExactly("LOCK_OPEN_WHILE_INVERTED RAISED CRITICAL", "LOCK_OPEN_WHILE_INVERTED CLEARED CRITICAL");
    }

    @Test
    void fastSwingBackToUprightIsARapidReturnThatClearsWhenFlat() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 50, 10).hold(50, 20).move(50, 0, 2).hold(0, 3);

        assertThat(table.outcome()).containsExactly("RAPID_RETURN RAISED WARNING", "RAPID_RETURN CLEARED WARNING");
        assertThat(table.signals.get(0).reason()).contains("returning from 50.0 degrees at 25 degrees/s");
    }

    @Test
    void duplicatedAndReorderedReadingsDoNotRaiseOrClearTwice() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 65, 13).hold(65, 5);
        List<TelemetryReading> aboveLimit = table.sent.subList(12, 18);

        // replaying the readings that raised the alert, and older ones in reverse order, changes nothing
        aboveLimit.forEach(table::replay);
        for (int i = 11; i >= 0; i--) {
            table.replay(table.sent.get(i));
        }
        table.move(65, 40, 5);
        table.sent.subList(12, 18).forEach(table::replay);   // stale over-limit readings after the clear: nothing

        assertThat(table.outcome()).containsExactly("OVER_ANGLE RAISED WARNING", "OVER_ANGLE CLEARED WARNING");
    }

    @Test
    void contraindicatedTableRaisesContraindicatedUseNamingTheFlagsInsteadOfOverAngle() {
        SafetyLimits glaucoma = SafetyLimits.DEFAULTS.withContraindications(Set.of(Contraindication.GLAUCOMA, Contraindication.PREGNANCY));
        ScriptedTable table = new ScriptedTable(glaucoma).move(0, 30, 10).unlock().hold(30, 3);

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "LOCK_OPEN_WHILE_INVERTED RAISED CRITICAL");
        assertThat(table.signals).allSatisfy(signal -> assertThat(signal.reason()).endsWith("(profile flags: glaucoma, pregnancy)"));
    }

    @Test
    void monitorRestoredFromItsMemoryNeitherForgetsNorRepeatsAnOpenAlert() {
        ScriptedTable before = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 70, 14).hold(70, 5);
        TableMonitor restored = TableMonitor.remembering("fleet-1", "table-1", SafetyLimits.DEFAULTS, before.monitor.memory());
        TelemetryReading lastSeen = before.sent.get(before.sent.size() - 1);

        // the readings after the last stored offset are consumed again, then the angle comes back
        List<AlertSignal> replayed = before.sent.subList(10, before.sent.size()).stream()
                .flatMap(reading -> restored.onReading(reading, reading.ts()).stream()).toList();
        TelemetryReading back = new TelemetryReading("fleet-1", "table-1", lastSeen.seq() + 1, lastSeen.ts().plusSeconds(2), "s-1", 54, 21, true);

        assertThat(before.outcome()).containsExactly("OVER_ANGLE RAISED WARNING");
        assertThat(replayed).isEmpty();
        assertThat(restored.onReading(back, back.ts())).extracting(AlertSignal::type, AlertSignal::change)
                .containsExactly(tuple(AlertType.OVER_ANGLE, AlertChange.CLEARED));
    }

    @Test
    void returningFromFortyFiveToFlatInOneSecondIsARapidReturn() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 45, 10).hold(45, 10)
                .hold(0, 1)     // 45 degrees/s, and the reading that shows it is at 0
                .hold(0, 2);    // flat: cleared

        assertThat(table.outcome()).containsExactly("RAPID_RETURN RAISED WARNING", "RAPID_RETURN CLEARED WARNING");
        assertThat(table.signals.get(0).reason()).contains("returning from 45.0 degrees at 45 degrees/s");
    }

    @Test
    void anOfflineStatusOlderThanTheNewestReadingsArrivingLateRaisesNothing() {
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 40, 10).hold(40, 5)
                .lateOffline(8)     // sent before the last 7 readings: the table was back long ago
                .hold(40, 2)
                .offline();         // a current one still raises at once

        assertThat(table.outcome()).containsExactly("SILENT_WHILE_INVERTED RAISED CRITICAL");
    }

    @Test
    void contraindicationsRemovedFromTheProfileClearTheContraindicatedUseAlertAtOnce() {
        SafetyLimits glaucoma = SafetyLimits.DEFAULTS.withContraindications(Set.of(Contraindication.GLAUCOMA));
        ScriptedTable table = new ScriptedTable(glaucoma).move(0, 30, 10)
                .profile(SafetyLimits.DEFAULTS)     // the next patient has none: nothing forbids 30 degrees now
                .hold(30, 5);

        assertThat(table.outcome()).containsExactly("CONTRAINDICATED_USE RAISED CRITICAL", "CONTRAINDICATED_USE CLEARED CRITICAL");
    }

    @Test
    void contraindicationsAddedWhileOverTheAngleLimitTurnTheOverAngleAlertIntoContraindicatedUse() {
        SafetyLimits glaucoma = SafetyLimits.DEFAULTS.withContraindications(Set.of(Contraindication.GLAUCOMA));
        ScriptedTable table = new ScriptedTable(SafetyLimits.DEFAULTS).move(0, 65, 13).hold(65, 3)
                .profile(glaucoma)
                .hold(65, 2)
                .profile(SafetyLimits.DEFAULTS)     // and back: the contraindication alert clears, over-angle starts again
                .hold(65, 3);

        assertThat(table.outcome()).containsExactly(
                "OVER_ANGLE RAISED WARNING",
                "OVER_ANGLE CLEARED WARNING",
                "CONTRAINDICATED_USE RAISED CRITICAL",
                "CONTRAINDICATED_USE CLEARED CRITICAL",
                "OVER_ANGLE RAISED WARNING");
    }
}
