package io.tiltfleet.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tiltfleet.contract.DeviceMessageValidator;
import io.tiltfleet.contract.DevicePayloads;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.contract.Topics;
import io.tiltfleet.contract.ValidationResult;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TableBehaviourTest {

    static final Instant START = Instant.parse("2026-11-25T08:00:00Z");
    static final DeviceMessageValidator VALIDATOR = new DeviceMessageValidator();

    record Run(List<TelemetryReading> readings, long offlineTicks) {
    }

    static Run play(Scenario only, long seed, Duration span) {
        TableBehaviour table = new TableBehaviour("fleet-1", "table-001", new ScenarioMix(Map.of(only, 1)), new Random(seed), START);
        List<TelemetryReading> readings = new ArrayList<>();
        long offline = 0;
        for (long s = 0; s < span.toSeconds(); s++) {
            TableBehaviour.Tick tick = table.tick(START.plusSeconds(s));
            tick.reading().ifPresent(readings::add);
            offline += tick.online() ? 0 : 1;
        }
        return new Run(readings, offline);
    }

    @Test
    void everyReadingOfEveryScenarioIsAcceptedByTheIngestValidationWithSeqRisingByOne() {
        for (Scenario scenario : Scenario.values()) {
            List<TelemetryReading> readings = play(scenario, 7, Duration.ofHours(2)).readings();

            assertThat(readings).as(scenario.label()).isNotEmpty();
            for (int i = 0; i < readings.size(); i++) {
                TelemetryReading reading = readings.get(i);
                assertThat(reading.seq()).isEqualTo(i + 1L);
                ValidationResult result = VALIDATOR.validate(Topics.mqttTelemetryTopic("fleet-1", "table-001"), DevicePayloads.telemetry(reading), reading.ts());
                assertThat(result).as("%s reading %s", scenario.label(), reading).isInstanceOf(ValidationResult.Reading.class);
            }
        }
    }

    @Test
    void normalSessionsStayInTheTherapeuticRangeForAFewMinutes() {
        List<TelemetryReading> readings = play(Scenario.NORMAL, 11, Duration.ofHours(2)).readings();

        assertThat(readings).extracting(TelemetryReading::angleDeg).allMatch(angle -> angle <= 62 && angle >= SessionPlan.LOADING_ANGLE);
        assertThat(readings).filteredOn(r -> r.sessionId() != null).extracting(TelemetryReading::elapsedS)
                .allMatch(elapsed -> elapsed < 10 * 60);
    }

    @Test
    void steepSessionsGoAboveSixtyDegreesAndOverstaysPassTenMinutes() {
        assertThat(play(Scenario.STEEP, 3, Duration.ofHours(1)).readings()).anyMatch(r -> r.angleDeg() > 65);
        assertThat(play(Scenario.OVERSTAY, 3, Duration.ofHours(1)).readings()).anyMatch(r -> r.elapsedS() > 10 * 60);
    }

    @Test
    void silentTablesGoOfflineMidSessionAndComeBack() {
        Run run = play(Scenario.SILENT, 5, Duration.ofHours(1));

        assertThat(run.offlineTicks()).isGreaterThanOrEqualTo(SessionPlan.SILENCE.toSeconds());
        assertThat(run.readings().get(run.readings().size() - 1).ts()).isAfter(START.plus(Duration.ofMinutes(30)));
    }

    @Test
    void lockOpenAndFastReturnScenariosShowTheirFault() {
        assertThat(play(Scenario.LOCK_OPEN, 9, Duration.ofHours(1)).readings()).anyMatch(r -> r.sessionId() != null && r.angleDeg() > 10 && !r.locked());
        List<TelemetryReading> fast = play(Scenario.FAST_RETURN, 9, Duration.ofHours(1)).readings();
        boolean droppedTenDegreesInASecond = false;
        for (int i = 1; i < fast.size(); i++) {
            droppedTenDegreesInASecond |= fast.get(i - 1).angleDeg() - fast.get(i).angleDeg() >= 10;
        }
        assertThat(droppedTenDegreesInASecond).isTrue();
    }

    @Test
    void theSameSeedPlaysTheSameFleet() {
        assertThat(play(Scenario.NORMAL, 42, Duration.ofMinutes(30)).readings())
                .isEqualTo(play(Scenario.NORMAL, 42, Duration.ofMinutes(30)).readings());
    }

    @Test
    void scenarioMixIsParsedAndBadMixesAreExplained() {
        assertThat(ScenarioMix.parse(ScenarioMix.DEFAULT).weights()).containsEntry(Scenario.FAST_RETURN, 8).hasSize(6);
        assertThatThrownBy(() -> ScenarioMix.parse("normal"))
                .hasMessageContaining("expected scenario=weight");
        assertThatThrownBy(() -> ScenarioMix.parse("normal=0"))
                .hasMessageContaining("not all 0");
    }
}
