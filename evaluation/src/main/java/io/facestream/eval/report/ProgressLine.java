package io.facestream.eval.report;

import io.facestream.eval.Progress;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Prints "what: done/total (pct) rate/s ETA m:ss" at most every {@code interval} and once when a step completes,
 * so a long scoring run shows it is alive without flooding the terminal.
 */
public final class ProgressLine implements Progress {
    private final PrintStream out;
    private final String label;
    private final long intervalNanos;
    private final LongSupplier clock;
    private String step;
    private long stepStart;
    private long lastPrint;

    public ProgressLine(PrintStream out, String label) {
        this(out, label, 2_000_000_000L, System::nanoTime);
    }

    ProgressLine(PrintStream out, String label, long intervalNanos, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.intervalNanos = intervalNanos;
        this.clock = clock;
    }

    @Override
    public void update(String what, long done, long total) {
        long now = clock.getAsLong();
        if (!what.equals(step)) {
            step = what;
            stepStart = now;
            lastPrint = now;
        }
        boolean finished = total > 0 && done >= total;
        if (!finished && now - lastPrint < intervalNanos) {
            return;
        }
        lastPrint = now;
        out.println(line(what, done, total, (now - stepStart) / 1e9));
    }

    String line(String what, long done, long total, double seconds) {
        double rate = seconds > 0 ? done / seconds : 0;
        StringBuilder sb = new StringBuilder(label)
                .append(' ')
                .append(what)
                .append(": ")
                .append(String.format(Locale.ROOT, "%,d", done));
        if (total > 0) {
            sb.append(String.format(Locale.ROOT, "/%,d (%.1f%%)", total, 100.0 * done / total));
        }
        sb.append(String.format(Locale.ROOT, "  %,.0f %s/s", rate, what));
        if (total > 0 && done < total && rate > 0) {
            sb.append("  ETA ").append(clock((long) Math.ceil((total - done) / rate)));
        } else if (total > 0 && done >= total) {
            sb.append("  done in ").append(clock((long) Math.ceil(seconds)));
        }
        return sb.toString();
    }

    private static String clock(long seconds) {
        return seconds >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
