package io.facestream.core.health;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks the cluster for its nodes every interval on a background thread, so a health request never waits on the broker.
 * UP while the last answer is younger than three intervals; DOWN (with the last error) otherwise.
 */
public final class BrokerProbe implements Supplier<Health>, AutoCloseable {
    private final KafkaConnection kafka;
    private final String bootstrap;
    private final Duration interval;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long lastOkNanos;
    private volatile String lastDetail = "not asked yet";

    private BrokerProbe(KafkaConnection kafka, Duration interval) {
        this.kafka = kafka;
        this.bootstrap = kafka.bootstrap();
        this.interval = interval;
        this.thread = new Thread(this::loop, "facestream-broker-probe");
        this.thread.setDaemon(true);
    }

    /** Asks the cluster of {@code kafka} every {@code management.broker-check-interval}. */
    public static BrokerProbe start(FacestreamConfig config, KafkaConnection kafka) {
        return start(kafka, config.getDuration("management.broker-check-interval"));
    }

    /** Probes a broker with Kafka's default client settings (PLAINTEXT). */
    public static BrokerProbe start(String bootstrap, Duration interval) {
        return start(KafkaConnection.of(bootstrap), interval);
    }

    /** Probes the cluster of {@code kafka}, with its client properties (security, credentials). */
    public static BrokerProbe start(KafkaConnection kafka, Duration interval) {
        BrokerProbe p = new BrokerProbe(kafka, interval);
        p.thread.start();
        return p;
    }

    private void loop() {
        long timeoutMs = Math.max(1000, interval.toMillis());
        Map<String, Object> quick = Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(KafkaClients.with(KafkaClients.adminConfig(kafka), quick))) {
            while (running) {
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeoutMs))
                            .nodes()
                            .get(timeoutMs + 500, TimeUnit.MILLISECONDS)
                            .size();
                    lastOkNanos = System.nanoTime();
                    lastDetail = nodes + " broker(s) at " + bootstrap;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    lastDetail = "no answer from " + bootstrap + ": " + (e.getCause() != null ? e.getCause() : e);
                }
                try {
                    Thread.sleep(interval.toMillis());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    @Override
    public Health get() {
        long ok = lastOkNanos;
        if (ok != 0 && System.nanoTime() - ok < 3 * interval.toNanos()) {
            return Health.up(lastDetail);
        }
        return Health.down(lastDetail);
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
    }
}
