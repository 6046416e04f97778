package io.facestream.synth;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/** A progress line every few seconds: done/total, rate and ETA. Thread-safe; ticks are cheap. */
public final class ProgressLine {
    private final String what;
    private final long total;
    private final PrintStream out;
    private final long startNanos = System.nanoTime();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong lastPrint = new AtomicLong(System.nanoTime());

    public ProgressLine(String what, long total, PrintStream out) {
        this.what = what;
        this.total = total;
        this.out = out;
    }

    public void tick() {
        long d = done.incrementAndGet();
        long now = System.nanoTime(), last = lastPrint.get();
        if ((now - last > 3_000_000_000L || d == total) && lastPrint.compareAndSet(last, now)) {
            double secs = (now - startNanos) / 1e9;
            double rate = d / Math.max(secs, 1e-9);
            long eta = Math.round((total - d) / Math.max(rate, 1e-9));
            out.printf(
                    java.util.Locale.ROOT,
                    "synth: %d/%d %s (%.1f/s), elapsed %ds, ETA %dm%02ds%n",
                    d,
                    total,
                    what,
                    rate,
                    Math.round(secs),
                    eta / 60,
                    eta % 60);
        }
    }
}
