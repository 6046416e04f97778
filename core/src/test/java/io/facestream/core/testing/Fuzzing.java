package io.facestream.core.testing;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.List;

/**
 * What every fuzz target ({@code @FuzzTest}) asserts of one input: only the exceptions the code under test declares
 * may escape, and one input costs at most {@link #BUDGET_MS} of CPU time. Anything else (a NullPointerException, an
 * ArithmeticException, a StackOverflowError, an input over budget) is rethrown, which Jazzer reports as a finding and
 * JUnit as a failure. A native crash ends the JVM, which fails the run by itself.
 *
 * <p>The budget is the calling thread's CPU time (native decoding included), not wall-clock time, so that a busy build
 * machine does not fail a replay; an input over budget is run once more and fails only if it is over budget again.
 * Targets whose work runs on other threads (the HTTP API) use {@link #checkWall}.
 */
public final class Fuzzing {
    /** The most one input may cost. */
    public static final long BUDGET_MS = 1000;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Fuzzing() {}

    /** One input's work. */
    @FunctionalInterface
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} on this thread: only {@code declared} exceptions (and their subclasses) may escape it. */
    @SafeVarargs
    public static void check(Body body, Class<? extends Throwable>... declared) {
        run(body, List.of(declared), true);
    }

    /** As {@link #check}, with the budget in wall-clock time, for work that runs on other threads. */
    @SafeVarargs
    public static void checkWall(Body body, Class<? extends Throwable>... declared) {
        run(body, List.of(declared), false);
    }

    private static void run(Body body, List<Class<? extends Throwable>> declared, boolean cpu) {
        long spent = once(body, declared, cpu);
        if (spent > BUDGET_MS * 1_000_000L) {
            long again = once(body, declared, cpu);
            if (again > BUDGET_MS * 1_000_000L) {
                throw new AssertionError(
                        "one input took " + again / 1_000_000 + " ms of " + (cpu ? "CPU" : "wall-clock") + " time (and "
                                + spent / 1_000_000 + " ms the first time); the budget is " + BUDGET_MS + " ms");
            }
        }
    }

    private static long once(Body body, List<Class<? extends Throwable>> declared, boolean cpu) {
        long t0 = cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
        try {
            body.run();
        } catch (Throwable t) {
            if (declared.stream().noneMatch(d -> d.isInstance(t))) {
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error e) {
                    throw e;
                }
                throw new AssertionError("undeclared " + t, t);
            }
        }
        return (cpu ? THREADS.getCurrentThreadCpuTime() : System.nanoTime()) - t0;
    }

    /** Whether a fuzz run (JAZZER_FUZZ set) rather than a replay of the committed inputs. */
    public static boolean fuzzing() {
        String v = System.getenv("JAZZER_FUZZ");
        return v != null && !v.isEmpty() && !Arrays.asList("0", "false", "no").contains(v.toLowerCase());
    }
}
