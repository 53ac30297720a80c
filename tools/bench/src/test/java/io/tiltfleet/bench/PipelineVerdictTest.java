package io.tiltfleet.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The pipeline benchmark's last line: a loaded step counts as held only with every loaded step below it held, nothing lost, every
 * probe on the stream at p99 under 250 ms and both consumers keeping up; the idle step is judged on its own.
 */
class PipelineVerdictTest {

    @Test
    void aStepAboveOneThatMissedIsNotNamedAndWhatTheMissedStepLackedIsSaid() {
        List<PipelineBenchmark.Step> steps = List.of(step(3000, 84), step(6000, 3451), step(10000, 98));

        assertThat(PipelineBenchmark.verdict(steps, 45)).isEqualTo("highest load held for 45 s with no loss, every probe on the stream, "
                + "p99 under 250 ms and the consumers at most 5 s of readings behind: 3000 readings/s; 6000 readings/s missed: stream p99 3,451 ms");
    }

    @Test
    void eitherConsumerFallingMoreThanFiveSecondsBehindMissesTheStepEvenWithEveryProbeOnTime() {
        assertThat(PipelineBenchmark.verdict(List.of(step(3000, 84), behind(10000, 0, 0, 0, 50_001)), 60))
                .endsWith(": 3000 readings/s; 10000 readings/s missed: the analytics behind (lag up to 0, 50,001 readings not done at the end)");
        assertThat(PipelineBenchmark.verdict(List.of(step(3000, 84), behind(10000, 0, 50_001, 0, 0)), 60))
                .endsWith(": 3000 readings/s; 10000 readings/s missed: the rules behind (lag up to 0, 50,001 readings not done at the end)");
        assertThat(PipelineBenchmark.verdict(List.of(behind(10000, 50_000, 50_000, 50_000, 50_000)), 60)).as("five seconds behind, not more")
                .endsWith(": 10000 readings/s (every step held)");
    }

    @Test
    void eitherConsumersLagOverFiveSecondsOfReadingsMissesTheStep() {
        assertThat(PipelineBenchmark.verdict(List.of(behind(10000, 0, 0, 50_001, 0)), 60))
                .endsWith("10000 readings/s missed: the analytics behind (lag up to 50,001, 0 readings not done at the end)");
    }

    @Test
    void anIdleStepMayLagFiveSecondsOfWhatCameInThoughNothingWasAsked() {
        PipelineBenchmark.Step within = new PipelineBenchmark.Step(0, 0, 2, 5, 30, 60, 40, 70, 900, 0, 0, 10, 0, 0, 44, 44, 44, 0, 20, Map.of());
        PipelineBenchmark.Step over = new PipelineBenchmark.Step(0, 0, 2, 5, 30, 60, 40, 70, 900, 0, 0, 11, 0, 0, 44, 44, 44, 0, 20, Map.of());

        assertThat(PipelineBenchmark.verdict(List.of(within), 60)).isEqualTo("idle: held");
        assertThat(PipelineBenchmark.verdict(List.of(over), 60)).isEqualTo("idle missed: the analytics behind (lag up to 11, 0 readings not done at the end)");
    }

    @Test
    void loadedStepsMustRiseEachOnceWhileIdleStepsMayComeAnywhere() {
        assertThat(PipelineBenchmark.rates("0, 3000,6000,0")).containsExactly(0, 3000, 6000, 0);
        assertThatThrownBy(() -> PipelineBenchmark.rates("0,6000,3000")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must rise");
        assertThatThrownBy(() -> PipelineBenchmark.rates("3000,3000")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PipelineBenchmark.rates("0,-500")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCountersSamplesAreSummedByNameAndLabelAndNoOtherMetricsWhoseNameItBegins() {
        String exposition = """
                # HELP tiltfleet_ingest_messages_forwarded_total Messages stored in Kafka
                # TYPE tiltfleet_ingest_messages_forwarded_total counter
                tiltfleet_ingest_messages_forwarded_total{application="ingest-service",kind="status"} 12.0
                tiltfleet_ingest_messages_forwarded_total{application="ingest-service",kind="telemetry"} 1.2345678E7
                tiltfleet_ingest_messages_forwarded_total_extra{kind="telemetry"} 5.0
                """;

        assertThat(ServiceProcess.sum(exposition, "tiltfleet_ingest_messages_forwarded_total", "kind=\"telemetry\"")).isEqualTo(12_345_678.0);
        assertThat(ServiceProcess.sum(exposition, "tiltfleet_ingest_messages_forwarded_total", "")).isEqualTo(12_345_690.0);
    }

    @Test
    void behindIsWhatTheIngestStoredSinceTheStartLessWhatEachConsumerFinished() {
        PipelineBenchmark.ReadingsDone atTheEnd = new PipelineBenchmark.ReadingsDone(3_065_110, 3_064_900, 2_445_423);

        assertThat(atTheEnd.rulesBehind()).isEqualTo(210);
        assertThat(atTheEnd.analyticsBehind()).isEqualTo(619_687);
    }

    @Test
    void aHighLagMissesTheStepWhileTheCountersSayTheConsumerIsDone() {
        assertThat(PipelineBenchmark.verdict(List.of(behind(10000, 0, 0, 381_256, 0)), 60))
                .endsWith("10000 readings/s missed: the analytics behind (lag up to 381,256, 0 readings not done at the end)");
        assertThat(PipelineBenchmark.verdict(List.of(behind(10000, 50_001, 0, 0, 0)), 60))
                .endsWith("10000 readings/s missed: the rules behind (lag up to 50,001, 0 readings not done at the end)");
    }

    @Test
    void lossAndMissedProbesMissTheStepAndEveryReasonIsGiven() {
        PipelineBenchmark.Step lossy = new PipelineBenchmark.Step(5000, 5000, 5000, 5, 30, 60, 40, 300, 900, 1_200, 0, 0, 0, 60_000,
                44, 41, 44, 0, 100, Map.of());

        assertThat(PipelineBenchmark.verdict(List.of(lossy), 60)).isEqualTo("no load held with no loss, every probe on the stream, "
                + "p99 under 250 ms and the consumers at most 5 s of readings behind; 5000 readings/s missed: 1,200 readings lost, "
                + "3 of 44 probes not on the stream, stream p99 300 ms, the analytics behind (lag up to 0, 60,000 readings not done at the end)");
    }

    @Test
    void theIdleStepIsJudgedOnItsOwnAndNeverHidesTheLoadedSteps() {
        assertThat(PipelineBenchmark.verdict(List.of(step(0, 1309), step(3000, 84)), 60))
                .endsWith(": 3000 readings/s (every step held); idle missed: stream p99 1,309 ms");
        assertThat(PipelineBenchmark.verdict(List.of(step(0, 40)), 150)).isEqualTo("idle: held");
        assertThat(PipelineBenchmark.verdict(List.of(step(0, 40), step(3000, 84), step(0, 700)), 60))
                .endsWith(": 3000 readings/s (every step held); idle: held; idle missed: stream p99 700 ms");
    }

    private static PipelineBenchmark.Step step(int rate, long p99) {
        return new PipelineBenchmark.Step(rate, rate, rate, 5, 30, 60, 40, p99, 900, 0, 0, 0, 0, 0, 44, 44, 44, 0, 100, Map.of());
    }

    private static PipelineBenchmark.Step behind(int rate, long safetyLag, long rulesBehind, long analyticsLag, long analyticsBehind) {
        return new PipelineBenchmark.Step(rate, rate, rate, 5, 30, 60, 40, 84, 900, 0, safetyLag, analyticsLag, rulesBehind, analyticsBehind,
                44, 44, 44, 0, 100, Map.of());
    }
}
