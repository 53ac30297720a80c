package io.tiltfleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pipeline benchmark's last line: a step counts as held only with every step below it held, consumers included. */
class PipelineVerdictTest {

    @Test
    void aStepAboveOneThatMissedIsNotNamedAndWhatTheMissedStepLackedIsSaid() {
        List<PipelineBenchmark.Step> steps = List.of(step(0, 40, 0, 0), step(6000, 3451, 496, 4897), step(10000, 98, 0, 0));

        assertThat(PipelineBenchmark.verdict(steps, 45))
                .startsWith("highest load held for 45 s with no loss")
                .contains(": 0 readings/s; 6000 readings/s missed: stream p99 3451 ms")
                .doesNotContain("10000");
    }

    @Test
    void aConsumerFallingBehindMissesTheStepEvenWithEveryProbeOnTime() {
        List<PipelineBenchmark.Step> steps = List.of(step(3000, 84, 0, 14_999), step(10000, 98, 0, 188_786));

        assertThat(PipelineBenchmark.verdict(steps, 45))
                .endsWith(": 3000 readings/s; 10000 readings/s missed: the analytics up to 188786 readings behind");
    }

    @Test
    void everyStepHeldNamesTheHighestAndNoStepHeldSaysSo() {
        assertThat(PipelineBenchmark.verdict(List.of(step(3000, 84, 0, 0), step(0, 40, 0, 0)), 60))
                .endsWith(": 3000 readings/s (every step held)");
        assertThat(PipelineBenchmark.verdict(List.of(step(0, 1309, 0, 0)), 60))
                .startsWith("no step held with no loss").endsWith("0 readings/s missed: stream p99 1309 ms");
    }

    private static PipelineBenchmark.Step step(int rate, long p99, long rulesLag, long analyticsLag) {
        return new PipelineBenchmark.Step(rate, rate, rate, 5, 30, 60, 40, p99, 900, 0, rulesLag, analyticsLag, 44, 44, 44, 0, 100, Map.of());
    }
}
