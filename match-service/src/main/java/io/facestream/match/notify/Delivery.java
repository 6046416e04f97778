package io.facestream.match.notify;

import io.facestream.core.events.Match;
import java.time.Duration;

/** One decision to one sink, tried as the {@link RetryPolicy} says. */
final class Delivery {
    /** How the delivery ended: delivered after {@code attempts}, or failed with the last attempt's reason. */
    record Outcome(int attempts, String failure) {
        boolean delivered() {
            return failure == null;
        }
    }

    /** Waits between attempts (tests and close() may shorten it). */
    @FunctionalInterface
    interface Pause {
        void sleep(Duration d) throws InterruptedException;
    }

    private Delivery() {}

    static Outcome deliver(Sink sink, Match match, byte[] json, RetryPolicy policy, Pause pause)
            throws InterruptedException {
        String last = null;
        for (int attempt = 1; attempt <= policy.attempts(); attempt++) {
            try {
                sink.send(match, json);
                return new Outcome(attempt, null);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                last = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                if (attempt < policy.attempts()) {
                    pause.sleep(policy.backoffAfter(attempt));
                }
            }
        }
        return new Outcome(policy.attempts(), last);
    }
}
