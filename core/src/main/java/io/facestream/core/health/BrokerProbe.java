package io.facestream.core.health;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;

/**
 * Asks the cluster for its nodes every interval on a background thread, so a health request never waits on the broker.
 * UP while the last answer is younger than three intervals; DOWN (with the last error) otherwise.
 */
public final class BrokerProbe implements Supplier<Health>, AutoCloseable {
    private final String bootstrap;
    private final Duration interval;
    private volatile long lastOkNanos;
    private volatile String lastDetail = "not asked yet";
    private AdminProbe probe;

    private BrokerProbe(KafkaConnection kafka, Duration interval) {
        this.bootstrap = kafka.bootstrap();
        this.interval = interval;
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
        p.probe = AdminProbe.start(
                "facestream-broker-probe", kafka, interval, (int) Math.max(1000, interval.toMillis()), p::ask, e -> {
                    p.lastDetail = "no answer from " + p.bootstrap + ": " + (e.getCause() != null ? e.getCause() : e);
                });
        return p;
    }

    private void ask(Admin admin, int timeoutMs) throws Exception {
        int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(timeoutMs))
                .nodes()
                .get(timeoutMs + 500, TimeUnit.MILLISECONDS)
                .size();
        lastOkNanos = System.nanoTime();
        lastDetail = nodes + " broker(s) at " + bootstrap;
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
        probe.close();
    }
}
