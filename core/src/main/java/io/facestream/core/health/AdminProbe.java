package io.facestream.core.health;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The loop behind the broker health checks: one daemon thread with its own Admin client asks the broker something
 * every interval, so a health request reads the last answer and never waits on the broker. The client's timeouts are
 * short and its reconnect back-off capped at 1 s, so a broker that comes back is noticed within an interval or two.
 */
final class AdminProbe implements AutoCloseable {
    /** One question to the broker; its answer is kept by the caller. */
    interface Ask {
        void ask(Admin admin, int timeoutMs) throws Exception;
    }

    private final Thread thread;
    private volatile boolean running = true;

    private AdminProbe(
            String name, KafkaConnection kafka, Duration interval, int timeoutMs, Ask ask, Consumer<Exception> failed) {
        this.thread = new Thread(() -> loop(kafka, interval, timeoutMs, ask, failed), name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts asking at once.
     *
     * @param failed told of each failed ask (broker away, timeout, a topic not there yet)
     */
    static AdminProbe start(
            String name, KafkaConnection kafka, Duration interval, int timeoutMs, Ask ask, Consumer<Exception> failed) {
        AdminProbe p = new AdminProbe(name, kafka, interval, timeoutMs, ask, failed);
        p.thread.start();
        return p;
    }

    private void loop(KafkaConnection kafka, Duration interval, int timeoutMs, Ask ask, Consumer<Exception> failed) {
        Map<String, Object> quick = Map.of(
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs,
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        try (Admin admin = Admin.create(KafkaClients.with(KafkaClients.adminConfig(kafka), quick))) {
            while (running) {
                try {
                    ask.ask(admin, timeoutMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    failed.accept(e);
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
    public void close() {
        running = false;
        thread.interrupt();
    }
}
