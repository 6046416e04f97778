package io.facestream.core.health;

/**
 * One component's state, as the management port reports it.
 *
 * @param status UP (doing its job), DOWN (not now, may recover by itself: broker away, rebalancing) or FAILED (stopped
 *               for good: a dead worker thread, a fatal producer error; the process should be restarted)
 * @param detail what an operator needs to know, in words
 */
public record Health(Status status, String detail) {
    public enum Status {
        UP,
        DOWN,
        FAILED
    }

    public static Health up(String detail) {
        return new Health(Status.UP, detail);
    }

    public static Health down(String detail) {
        return new Health(Status.DOWN, detail);
    }

    public static Health failed(String detail) {
        return new Health(Status.FAILED, detail);
    }
}
