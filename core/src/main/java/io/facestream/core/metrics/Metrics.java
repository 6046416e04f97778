package io.facestream.core.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/** The one metrics registry of a facestream process; every service registers here, the API scrapes it. */
public final class Metrics {
    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Metrics() {}

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** Prometheus text exposition of everything registered. */
    public static String scrape() {
        return REGISTRY.scrape();
    }
}
