package io.facestream.core.health;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The components of one process and how each is doing. Live = nothing FAILED (the process is worth keeping); ready =
 * everything UP (it does its job now). A check that throws counts as DOWN with the exception as its detail.
 */
public final class HealthRegistry {
    private final Map<String, Supplier<Health>> checks = new LinkedHashMap<>();

    public synchronized HealthRegistry register(String component, Supplier<Health> check) {
        if (checks.putIfAbsent(component, check) != null) {
            throw new IllegalArgumentException("health component '" + component + "' is registered twice");
        }
        return this;
    }

    /** Every component's state now, in registration order. */
    public Report report() {
        Map<String, Supplier<Health>> copy;
        synchronized (this) {
            copy = new LinkedHashMap<>(checks);
        }
        Map<String, Health> out = new LinkedHashMap<>();
        copy.forEach((name, check) -> {
            Health h;
            try {
                h = check.get();
            } catch (RuntimeException e) {
                h = Health.down("health check failed: " + e);
            }
            out.put(name, h == null ? Health.down("no state reported") : h);
        });
        return new Report(out);
    }

    /** A snapshot of every component. */
    public record Report(Map<String, Health> components) {
        public boolean live() {
            return components.values().stream().noneMatch(h -> h.status() == Health.Status.FAILED);
        }

        public boolean ready() {
            return components.values().stream().allMatch(h -> h.status() == Health.Status.UP);
        }

        /** The first failed component as "name: detail", or null. */
        public String firstFailure() {
            return components.entrySet().stream()
                    .filter(e -> e.getValue().status() == Health.Status.FAILED)
                    .map(e -> e.getKey() + ": " + e.getValue().detail())
                    .findFirst()
                    .orElse(null);
        }

        public Map<String, Object> toJson(boolean readiness) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", readiness ? (ready() ? "UP" : live() ? "DOWN" : "FAILED") : (live() ? "UP" : "FAILED"));
            Map<String, Object> parts = new LinkedHashMap<>();
            components.forEach(
                    (name, h) -> parts.put(name, Map.of("status", h.status().name(), "detail", h.detail())));
            body.put("components", parts);
            return body;
        }
    }
}
