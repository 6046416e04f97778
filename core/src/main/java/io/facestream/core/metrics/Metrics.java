package io.facestream.core.metrics;

import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

/**
 * The one metrics registry of a facestream process; every service registers here, the management port's
 * {@code /metrics} scrapes it. The JVM's own meters (memory, GC, threads, class loading, CPU, uptime, open files) are
 * bound once, when the registry is first used, so every process has them without asking.
 */
public final class Metrics {
    private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    /** Kept for the life of the process: it listens to GC notifications and must not be collected. */
    private static final JvmGcMetrics GC = new JvmGcMetrics();

    static {
        new JvmMemoryMetrics().bindTo(REGISTRY);
        GC.bindTo(REGISTRY);
        new JvmThreadMetrics().bindTo(REGISTRY);
        new ClassLoaderMetrics().bindTo(REGISTRY);
        new ProcessorMetrics().bindTo(REGISTRY);
        new UptimeMetrics().bindTo(REGISTRY);
        new FileDescriptorMetrics().bindTo(REGISTRY);
    }

    private Metrics() {}

    public static PrometheusMeterRegistry registry() {
        return REGISTRY;
    }

    /** Prometheus text exposition of everything registered. */
    public static String scrape() {
        return REGISTRY.scrape();
    }

    /**
     * Publishes a long-lived Kafka producer's own metrics ({@code kafka_producer_*}, tagged by its {@code client.id}).
     * Close the returned handle with the client, so that its meters leave the registry with it.
     */
    public static AutoCloseable bind(Producer<?, ?> producer) {
        return bind(new KafkaClientMetrics(producer));
    }

    /** Publishes a long-lived Kafka consumer's own metrics ({@code kafka_consumer_*}: lag, fetch rate, commits). */
    public static AutoCloseable bind(Consumer<?, ?> consumer) {
        return bind(new KafkaClientMetrics(consumer));
    }

    /**
     * Binds a closeable binder (e.g. {@code KafkaStreamsMetrics}, whose class needs kafka-streams, which this module
     * does not depend on) to the registry; the binder is returned to be closed with what it measures.
     */
    public static <B extends MeterBinder & AutoCloseable> AutoCloseable bind(B binder) {
        binder.bindTo(REGISTRY);
        return binder;
    }

    /** Closes a handle from {@link #bind}; a failure to unregister is no reason to fail the client's shutdown. */
    public static void unbind(AutoCloseable handle) {
        if (handle == null) {
            return;
        }
        try {
            handle.close();
        } catch (Exception ignored) {
            // the meters only stay registered until the process ends
        }
    }
}
