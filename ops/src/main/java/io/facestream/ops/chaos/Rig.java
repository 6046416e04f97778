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
    final List<Child> matches = new ArrayList<>();
    /** The first match instance (the campaign's only one), null in a rig without match instances. */
    final Child match;

    private final List<Child> extra = new ArrayList<>();
    private final int diskMb;
    /** The first match instance's own disk while the rig runs, null without one. */
    private DiskJail disk;

    private final java.util.function.Consumer<String> progress;

    /** The campaign's rig: two embed instances, one match instance; {@code diskMb} > 0: its own small disk. */
    Rig(Path dir, Duration sessionTimeout, java.util.function.Consumer<String> progress, int diskMb) {
        this(dir, sessionTimeout, progress, 2, 1, diskMb);
    }

    /** A rig of {@code embedCount} embed instances (one group) and {@code matchCount} match instances (one app id). */
    Rig(
            Path dir,
            Duration sessionTimeout,
            java.util.function.Consumer<String> progress,
            int embedCount,
            int matchCount) {
        this(dir, sessionTimeout, progress, embedCount, matchCount, 0);
    }

    /**
     * As above; with {@code diskMb} > 0 the first match instance keeps its state directory and gallery index on a
     * tmpfs of that size of its own ({@link DiskJail}, mounted at start), which the disk-full fault fills and frees.
     */
    Rig(
            Path dir,
            Duration sessionTimeout,
            java.util.function.Consumer<String> progress,
            int embedCount,
            int matchCount,
            int diskMb) {
        this.dir = dir;
        this.diskMb = diskMb;
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
        for (int i = 0; i < embedCount; i++) {
            embeds.add(embed("embed-" + (char) ('a' + i)));
        }
        for (int i = 0; i < matchCount; i++) {
            // the first keeps the campaign's names; further instances get their own state, index and API files
            matches.add(match(i == 0 ? "match" : "match-" + (char) ('a' + i)));
        }
        this.match = matches.isEmpty() ? null : matches.get(0);
    }

    /** A match instance of the rig's application id, with its own state directory, gallery index and API files. */
    Child match(String name) {
        int mp = freePort();
        String suffix = name.equals("match") ? "" : name.substring("match".length());
        boolean small = diskMb > 0 && suffix.isEmpty();
        Path state = small ? diskMountPoint().resolve("state") : dir.resolve("match-state" + suffix);
        Path gallery = small ? diskMountPoint().resolve("gallery") : dir.resolve("match-gallery" + suffix);
        return new Child(
                name,
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
                        "match.state-dir=" + state,
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
                        "gallery.index-dir=" + gallery,
                        "--set",
                        "api.keys.chaos.key=chaos-campaign-key-0123456789",
                        "--set",
                        "api.audit-log=" + dir.resolve("match" + suffix + "-audit.log"),
                        "--set",
                        "api.key-store=" + dir.resolve("api-keys" + suffix + ".json"),
                        "--set",
                        "api.upload-dir=" + dir.resolve("uploads" + suffix)),
                mp);
    }

    private Path diskMountPoint() {
        return dir.resolve("match-disk");
    }

    /** The match instance's small disk (the disk-full fault fills it); fails in a rig made without one. */
    DiskJail disk() {
        if (disk == null) {
            throw new IllegalStateException("this rig's match instance has no disk of its own (diskMb 0)");
        }
        return disk;
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

    /**
     * An ingest process reading {@code cameras} ({@code ID=SOURCE;options}, as {@code facestream ingest --camera}):
     * ingest instances share nothing, each reads the cameras it is given, so ingest scales by splitting the cameras
     * between processes.
     */
    Child ingest(String name, List<String> cameras) {
        int mp = freePort();
        List<String> args = new ArrayList<>(List.of(
                "ingest",
                "--bootstrap",
                bootstrap(),
                "--management-port",
                Integer.toString(mp),
                "--set",
                "management.broker-check-interval=1s"));
        for (String c : cameras) {
            args.add("--camera");
            args.add(c);
        }
        return new Child(name, dir, List.of("-Xmx256m"), args, mp);
    }

    /** Starts the broker, creates the topics, starts the services and waits until all are ready. */
    void start() throws InterruptedException {
        // Ctrl-C (or a test timeout) must not leave a broker and services running: they are killed with the campaign
        Runtime.getRuntime().addShutdownHook(reaper);
        if (diskMb > 0) {
            disk = DiskJail.open(diskMountPoint(), diskMb);
            match.launchWith(disk.enter());
        }
        startBroker();
        try (Admin admin = KafkaClients.admin(bootstrap())) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        embeds.forEach(Child::start);
        matches.forEach(Child::start);
        extra.forEach(Child::start);
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
        all.addAll(matches);
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
        if (disk != null) {
            disk.close();
        }
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
        if (disk != null) {
            disk.close();
        }
    }

    /**
     * The partitions of {@code topic} each live member of consumer group {@code group} (an embed group, a match
     * application id) is assigned, one set per member (empty while the group rebalances or has no members).
     */
    List<java.util.Set<Integer>> assignment(String group, String topic) throws InterruptedException {
        try (Admin admin = KafkaClients.admin(bootstrap())) {
            var description = admin.describeConsumerGroups(List.of(group))
                    .all()
                    .get(10, TimeUnit.SECONDS)
                    .get(group);
            List<java.util.Set<Integer>> out = new ArrayList<>();
            for (var member : description.members()) {
                java.util.Set<Integer> parts = new java.util.TreeSet<>();
                for (var tp : member.assignment().topicPartitions()) {
                    if (tp.topic().equals(topic)) {
                        parts.add(tp.partition());
                    }
                }
                out.add(parts);
            }
            return out;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return List.of(); // the group coordinator is loading or moving: asked again by the caller
        }
    }

    /**
     * Waits until group {@code group} has exactly {@code members} members, each assigned some partition of
     * {@code topic}, all partitions assigned once; returns the assignment, or the last one seen after the timeout.
     */
    List<java.util.Set<Integer>> awaitSpread(String group, String topic, int members, int partitions, Duration timeout)
            throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        List<java.util.Set<Integer>> last = List.of();
        while (System.nanoTime() < until) {
            last = assignment(group, topic);
            if (spread(last, members, partitions)) {
                return last;
            }
            Thread.sleep(500);
        }
        return last;
    }

    /** Each of {@code members} members owns some partitions and together they own each of {@code partitions} once. */
    static boolean spread(List<java.util.Set<Integer>> assignment, int members, int partitions) {
        if (assignment.size() != members || assignment.stream().anyMatch(java.util.Set::isEmpty)) {
            return false;
        }
        java.util.Set<Integer> all = new java.util.HashSet<>();
        int total = 0;
        for (var parts : assignment) {
            all.addAll(parts);
            total += parts.size();
        }
        return total == partitions && all.size() == partitions;
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }
}
