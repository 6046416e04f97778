package io.facestream.ops.chaos;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;

/**
 * The system under test, each part its own process: the embedded broker ({@code facestream kafka}) on a fixed port
 * and data directory, two embed instances sharing the frames partitions ({@code facestream embed}, one group, each
 * its own instance id), and one match service ({@code facestream match}) with its state directory. A process that
 * exits without a fault of the campaign is counted and started again, as compose or Kubernetes would.
 */
final class Rig implements AutoCloseable {
    static final String EMBED_GROUP = "chaos-embed";
    static final String MATCH_APPLICATION = "chaos-match";

    final Path dir;
    final int brokerPort;
    final Duration sessionTimeout;
    final Child broker;
    final List<Child> embeds = new ArrayList<>();
    final Child match;
    private final List<Child> extra = new ArrayList<>();
    private final java.util.function.Consumer<String> progress;

    Rig(Path dir, Duration sessionTimeout, java.util.function.Consumer<String> progress) {
        this.dir = dir;
        this.sessionTimeout = sessionTimeout;
        this.progress = progress;
        this.brokerPort = freePort();
        this.broker = new Child(
                "broker",
                dir,
                List.of("-Xmx512m"),
                List.of(
                        "kafka",
                        "--port",
                        Integer.toString(brokerPort),
                        "--data",
                        dir.resolve("kafka-data").toString()),
                0);
        embeds.add(embed("embed-a"));
        embeds.add(embed("embed-b"));
        int mp = freePort();
        this.match = new Child(
                "match",
                dir,
                List.of("-Xmx512m"),
                List.of(
                        "match",
                        "--bootstrap",
                        bootstrap(),
                        "--port",
                        "0",
                        "--management-port",
                        Integer.toString(mp),
                        "--set",
                        "match.application-id=" + MATCH_APPLICATION,
                        "--set",
                        "match.state-dir=" + dir.resolve("match-state"),
                        "--set",
                        "match.gallery=none",
                        "--set",
                        "match.track.idle-close=1s",
                        "--set",
                        "match.track.idle-check=200ms",
                        "--set",
                        "match.session-timeout=" + sessionTimeout.toSeconds() + "s",
                        "--set",
                        "management.broker-check-interval=1s",
                        "--set",
                        "gallery.index-dir=" + dir.resolve("match-gallery"),
                        "--set",
                        "api.keys.chaos.key=chaos-campaign-key-0123456789",
                        "--set",
                        "api.audit-log=" + dir.resolve("match-audit.log"),
                        "--set",
                        "api.key-store=" + dir.resolve("api-keys.json"),
                        "--set",
                        "api.upload-dir=" + dir.resolve("uploads")),
                mp);
    }

    String bootstrap() {
        return "127.0.0.1:" + brokerPort;
    }

    /** An embed instance of the campaign's group: {@code name} is its instance id (a restart fences its zombie). */
    Child embed(String name) {
        int mp = freePort();
        return new Child(
                name,
                dir,
                List.of("-Xmx384m"),
                List.of(
                        "embed",
                        "--bootstrap",
                        bootstrap(),
                        "--management-port",
                        Integer.toString(mp),
                        "--mode",
                        "complete",
                        "--instance",
                        name,
                        "--set",
                        "embed.service.group-id=" + EMBED_GROUP,
                        "--set",
                        "embed.service.state-dir=" + dir.resolve("embed-state"),
                        "--set",
                        "embed.service.keep-rejected=true",
                        "--set",
                        "face.batch-size=4",
                        "--set",
                        "management.broker-check-interval=1s",
                        "--set",
                        "kafka.properties.session.timeout.ms=" + sessionTimeout.toMillis()),
                mp);
    }

    /** Starts the broker, creates the topics, starts the services and waits until all are ready. */
    void start() throws InterruptedException {
        // Ctrl-C (or a test timeout) must not leave a broker and services running: they are killed with the campaign
        Runtime.getRuntime().addShutdownHook(reaper);
        startBroker();
        try (Admin admin = KafkaClients.admin(bootstrap())) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        embeds.forEach(Child::start);
        match.start();
        for (Child c : services()) {
            if (!c.awaitReady(Duration.ofSeconds(180))) {
                throw new IllegalStateException(
                        c.name() + " did not become ready within 180 s; its log " + c.log() + " ends:\n" + c.tail(30));
            }
        }
    }

    void startBroker() throws InterruptedException {
        broker.start();
        awaitBroker(Duration.ofSeconds(120));
    }

    /** Waits until the broker answers a metadata request. */
    void awaitBroker(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until) {
            if (!broker.alive()) {
                throw new IllegalStateException(
                        "the broker exited; its log " + broker.log() + " ends:\n" + broker.tail(30));
            }
            try (Admin admin = KafkaClients.admin(bootstrap())) {
                admin.describeCluster().nodes().get(2, TimeUnit.SECONDS);
                return;
            } catch (java.util.concurrent.ExecutionException
                    | java.util.concurrent.TimeoutException
                    | org.apache.kafka.common.KafkaException e) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException(
                "the broker did not answer within " + timeout.toSeconds() + " s; log " + broker.log());
    }

    /** The long-running services (not the broker), including instances a fault started. */
    List<Child> services() {
        List<Child> all = new ArrayList<>(embeds);
        all.add(match);
        all.addAll(extra);
        return all;
    }

    void addExtra(Child c) {
        extra.add(c);
    }

    void removeExtra(Child c) {
        extra.remove(c);
    }

    /** Restarts every process that ended by itself (counted by the child); returns how many. */
    int restartExited() throws InterruptedException {
        int n = 0;
        if (broker.exitedByItself()) {
            progress.accept("  the broker exited by itself; starting it again. Log ends:\n" + broker.tail(15));
            startBroker();
            n++;
        }
        for (Child c : services()) {
            if (c.exitedByItself()) {
                progress.accept("  " + c.name() + " exited by itself; starting it again. Log ends:\n" + c.tail(15));
                c.start();
                n++;
            }
        }
        return n;
    }

    int unplannedExits() {
        int n = broker.unplannedExits();
        for (Child c : services()) {
            n += c.unplannedExits();
        }
        return n;
    }

    private final Thread reaper = new Thread(this::reap, "chaos-reaper");

    private void reap() {
        for (Child c : services()) {
            c.killQuietly();
        }
        broker.killQuietly();
    }

    @Override
    public void close() throws InterruptedException {
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already (the hook runs), or start() never registered it
        }
        for (Child c : services()) {
            c.stop(Duration.ofSeconds(20));
        }
        broker.stop(Duration.ofSeconds(30));
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
