package io.tiltfleet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/** Processor time and resident memory of a process, as the kernel counts them, and a full collection on request. */
final class ProcessStats {

    /** Linux counts a thread's processor time in these (USER_HZ, 100 on every platform Linux runs on today). */
    private static final long CLOCK_TICKS_PER_SECOND = 100;

    private ProcessStats() {
    }

    /** User and system time used so far. */
    static Duration cpuTime(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** Resident memory now and at its peak since the start, in bytes; -1 where unknown. */
    static long[] residentMemory(long pid) {
        try {
            List<String> status = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
            return new long[] {kilobytes(status, "VmRSS:") * 1024, kilobytes(status, "VmHWM:") * 1024};
        } catch (IOException e) {
            return new long[] {-1, -1};
        }
    }

    /** Asks a JVM for a full collection (jcmd GC.run), so that its heap in use is what is still live. */
    static void fullGc(long pid) {
        try {
            Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(pid), "GC.run")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            jcmd.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException("jcmd " + pid + " GC.run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Processor time the JVM's JIT compiler threads have used so far, from {@code /proc} (threads named "C1/C2
     * CompilerThread"; one the JVM retired takes its time with it, which on 2 cores, one thread of each, does not
     * happen); zero for a process that is no JVM.
     */
    static Duration compilationTime(long pid) {
        long ticks = 0;
        try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path thread : threads.toList()) {
                ticks += compilerTicks(thread);
            }
        } catch (IOException | UncheckedIOException gone) {
            return Duration.ZERO;
        }
        return Duration.ofMillis(ticks * 1000 / CLOCK_TICKS_PER_SECOND);
    }

    private static long compilerTicks(Path thread) {
        try {
            if (!Files.readString(thread.resolve("comm")).matches("C[12] CompilerThre.*\\s*")) {
                return 0;
            }
            return cpuTicks(Files.readString(thread.resolve("stat")));
        } catch (IOException threadEnded) {
            return 0;
        }
    }

    /** User and system time in a {@code /proc/.../stat} line: fields 14 and 15, counted after the name, which may hold ") ". */
    static long cpuTicks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    private static long kilobytes(List<String> status, String field) {
        return status.stream().filter(line -> line.startsWith(field)).map(line -> line.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                .findFirst().orElse(-1);
    }
}
