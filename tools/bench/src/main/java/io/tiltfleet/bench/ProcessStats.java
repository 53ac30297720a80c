package io.tiltfleet.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Processor time and resident memory of a process, as the kernel counts them, and a full collection on request. */
final class ProcessStats {

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

    private static long kilobytes(List<String> status, String field) {
        return status.stream().filter(line -> line.startsWith(field)).map(line -> line.replaceAll("\\D", "")).mapToLong(Long::parseLong)
                .findFirst().orElse(-1);
    }
}
