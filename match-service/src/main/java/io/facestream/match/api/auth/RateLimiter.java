package io.facestream.match.api.auth;

import io.facestream.core.config.FacestreamConfig;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Token buckets: one per key and {@link RouteClass} ({@code api.rate-limit.<class>.per-minute} and {@code .burst}), and
 * one per client address for failed authentications ({@code api.rate-limit.auth-failures}), so wrong keys cannot be
 * tried quickly. A request over its limit is answered 429 with {@code Retry-After}.
 */
public final class RateLimiter {
    /** A bucket's refill rate and size. */
    public record Limit(double perMinute, int burst) {
        public Limit {
            if (!(perMinute > 0) || burst < 1) {
                throw new IllegalArgumentException("a rate limit needs per-minute > 0 and burst >= 1");
            }
        }
    }

    private static final int MAX_ADDRESSES = 100_000;

    private final Map<RouteClass, Limit> limits;
    private final Limit authFailures;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Bucket> failures = new ConcurrentHashMap<>();

    public RateLimiter(Map<RouteClass, Limit> limits, Limit authFailures) {
        this.limits = new EnumMap<>(limits);
        for (RouteClass c : RouteClass.values()) {
            if (!this.limits.containsKey(c)) {
                throw new IllegalArgumentException("no rate limit for route class " + c);
            }
        }
        this.authFailures = authFailures;
    }

    public static RateLimiter from(FacestreamConfig c) {
        Map<RouteClass, Limit> l = new EnumMap<>(RouteClass.class);
        for (RouteClass rc : RouteClass.values()) {
            l.put(rc, limit(c, "api.rate-limit." + rc.configName()));
        }
        return new RateLimiter(l, limit(c, "api.rate-limit.auth-failures"));
    }

    private static Limit limit(FacestreamConfig c, String prefix) {
        return new Limit(c.getDouble(prefix + ".per-minute"), c.getInt(prefix + ".burst"));
    }

    public Limit limit(RouteClass c) {
        return limits.get(c);
    }

    /** Takes a token for the key and class: 0 when allowed, else the seconds until one is available. */
    public long acquire(String key, RouteClass c) {
        Limit limit = limits.get(c);
        return buckets.computeIfAbsent(key + "\n" + c, k -> new Bucket(limit)).take();
    }

    /** Seconds a client must wait before its next authentication attempt (0: may try now). */
    public long authWait(String client) {
        Bucket b = failures.get(client);
        return b == null ? 0 : b.waitForOne();
    }

    /** Counts a failed authentication of a client. */
    public void authFailed(String client) {
        if (failures.size() > MAX_ADDRESSES) {
            failures.values().removeIf(Bucket::full);
        }
        failures.computeIfAbsent(client, k -> new Bucket(authFailures)).take();
    }

    private static final class Bucket {
        private final double perNano;
        private final int capacity;
        private double tokens;
        private long last = System.nanoTime();

        Bucket(Limit l) {
            this.perNano = l.perMinute() / 60e9;
            this.capacity = l.burst();
            this.tokens = capacity;
        }

        private void refill() {
            long now = System.nanoTime();
            tokens = Math.min(capacity, tokens + (now - last) * perNano);
            last = now;
        }

        synchronized long take() {
            refill();
            if (tokens >= 1) {
                tokens -= 1;
                return 0;
            }
            return seconds(1 - tokens);
        }

        synchronized long waitForOne() {
            refill();
            return tokens >= 1 ? 0 : seconds(1 - tokens);
        }

        synchronized boolean full() {
            refill();
            return tokens >= capacity;
        }

        private long seconds(double missing) {
            return Math.max(1, (long) Math.ceil(missing / perNano / 1e9));
        }
    }
}
