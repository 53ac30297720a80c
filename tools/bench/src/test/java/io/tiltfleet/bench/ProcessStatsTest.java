package io.tiltfleet.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The compilers' processor time, read from /proc: there for a JVM, zero for any other process. */
class ProcessStatsTest {

    @Test
    void userAndSystemTimeAreReadAfterTheThreadsNameEvenWhenTheNameHoldsAParenthesis() {
        String stat = "4242 (C2 Compiler) x) S 1 1 1 0 -1 4194560 100 0 0 0 250 31 0 0 20 0 1 0 123 0 0";

        assertThat(ProcessStats.cpuTicks(stat)).isEqualTo(281);
    }

    @Test
    void aJvmsCompilersHaveUsedProcessorAndAProcessWithoutThemNone() throws Exception {
        long pid = ProcessHandle.current().pid();
        long sum = 0;
        for (int i = 0; i < 5_000_000; i++) {
            sum += Integer.toString(i).hashCode();
        }

        assertThat(ProcessStats.compilationTime(pid)).as("after %d", sum).isPositive().isLessThanOrEqualTo(ProcessStats.cpuTime(pid));
        Process sleep = new ProcessBuilder("sleep", "5").start();
        try {
            assertThat(ProcessStats.compilationTime(sleep.pid())).isEqualTo(Duration.ZERO);
        } finally {
            sleep.destroy();
        }
        assertThat(ProcessStats.compilationTime(Long.MAX_VALUE)).as("a process that is gone").isEqualTo(Duration.ZERO);
    }
}
