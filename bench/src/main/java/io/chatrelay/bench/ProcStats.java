package io.chatrelay.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a process's memory and CPU time from Linux's {@code /proc}: {@code VmRSS} (resident now),
 * {@code VmHWM} (highest resident since start) from {@code status}, and {@code utime + stime}
 * from {@code stat}, in clock ticks ({@code getconf CLK_TCK}, normally 100 per second).
 */
final class ProcStats {

    /** One reading; memory in KiB, CPU in clock ticks; -1 when unavailable. */
    record Sample(long rssKb, long hwmKb, long cpuTicks) {
    }

    private static volatile long clockTicks;

    private ProcStats() {
    }

    static Sample sample(long pid) {
        return new Sample(statusKb(pid, "VmRSS:"), statusKb(pid, "VmHWM:"), cpuTicks(pid));
    }

    static long rssKb(long pid) {
        return statusKb(pid, "VmRSS:");
    }

    /** Clock ticks per second, asked once from {@code getconf CLK_TCK}; 100 if that fails. */
    static long clockTicksPerSecond() {
        if (clockTicks == 0) {
            long ticks = 100;
            try {
                Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
                String out = new String(getconf.getInputStream().readAllBytes()).trim();
                if (getconf.waitFor() == 0 && !out.isEmpty()) {
                    ticks = Long.parseLong(out);
                }
            } catch (IOException | NumberFormatException e) {
                // keep the Linux default
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            clockTicks = ticks;
        }
        return clockTicks;
    }

    private static long statusKb(long pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // process gone or not Linux
        }
        return -1;
    }

    private static long cpuTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            // The command name (field 2) may contain spaces: count fields after its closing ')'.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            // After ')': field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
