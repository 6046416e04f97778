package io.facestream.ops.status;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.SegmentRoll;
import io.facestream.core.kafka.TopicSnapshot;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.report.Table;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One look at a running facestream through Kafka: frames per camera in a recent window, consumer groups with their
 * lag, dead letters by stage and reason, galleries (subjects and media alive on the compacted gallery topic) and the
 * current release of each model. Everything is read, nothing is written: any user allowed to describe groups and read
 * the topics can run it.
 */
public record ClusterStatus(
        long windowMs,
        Map<String, Camera> cameras,
        List<Group> groups,
        Map<String, Dead> deadLetters,
        Map<String, GallerySize> galleries,
        Map<String, ModelRelease> models) {

    public record Camera(String id, long frames, long lastTimestampMs) {}

    public record Group(String id, String state, int members, long lag) {}

    public record Dead(String stage, String reason, long records, long lastTimestampMs) {}

    public record GallerySize(String gallery, int subjects, int media) {}

    public static ClusterStatus read(KafkaConnection kafka, Duration window, Duration timeout) {
        long now = System.currentTimeMillis();
        Map<String, Camera> cameras = new TreeMap<>();
        Map<String, Dead> dead = new TreeMap<>();
        Map<String, byte[]> gallery = new HashMap<>();
        Map<String, ModelRelease> models = new TreeMap<>();
        List<Group> groups;
        try (Admin admin = KafkaClients.admin(kafka);
                KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KafkaClients.with(
                        KafkaClients.consumer(kafka, null),
                        Map.of(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName())))) {
            Set<String> topics = get(admin.listTopics().names(), timeout);
            if (topics.contains(TopicCatalog.FRAMES)) {
                TopicSnapshot.read(consumer, TopicCatalog.FRAMES, now - window.toMillis(), timeout, r -> {
                    String id = key(r);
                    Camera c = cameras.get(id);
                    cameras.put(
                            id,
                            new Camera(
                                    id,
                                    (c == null ? 0 : c.frames()) + 1,
                                    Math.max(c == null ? 0 : c.lastTimestampMs(), r.timestamp())));
                });
            }
            if (topics.contains(TopicCatalog.DLQ)) {
                TopicSnapshot.read(consumer, TopicCatalog.DLQ, null, timeout, r -> {
                    String stage = header(r, DeadLetter.STAGE);
                    String reason = reasonClass(header(r, DeadLetter.REASON));
                    String k = stage + "\u0000" + reason;
                    Dead d = dead.get(k);
                    dead.put(
                            k,
                            new Dead(
                                    stage,
                                    reason,
                                    (d == null ? 0 : d.records()) + 1,
                                    Math.max(d == null ? 0 : d.lastTimestampMs(), r.timestamp())));
                });
            }
            if (topics.contains(TopicCatalog.GALLERY)) {
                TopicSnapshot.read(consumer, TopicCatalog.GALLERY, null, timeout, r -> {
                    String k = key(r);
                    if (!k.equals(SegmentRoll.KEY)) {
                        gallery.put(k, r.value());
                    }
                });
            }
            if (topics.contains(TopicCatalog.MODELS)) {
                TopicSnapshot.read(consumer, TopicCatalog.MODELS, null, timeout, r -> {
                    if (r.value() == null) {
                        models.remove(key(r));
                        return;
                    }
                    try {
                        ModelRelease m = ModelRelease.parseFrom(r.value());
                        models.put(m.getName(), m);
                    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                        // not a release: the services dead-letter it; the status shows what they serve
                    }
                });
            }
            groups = groups(admin, timeout);
        }
        return new ClusterStatus(window.toMillis(), cameras, groups, dead, galleries(gallery), models);
    }

    /** Subjects and media whose record and every ancestor's record are alive (a tombstone removes what is below it). */
    static Map<String, GallerySize> galleries(Map<String, byte[]> latest) {
        Map<String, int[]> counts = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : latest.entrySet()) {
            String[] parts = e.getKey().split("/");
            boolean alive = true;
            for (int depth = 1; depth <= parts.length && alive; depth++) {
                alive = latest.get(String.join("/", java.util.Arrays.copyOf(parts, depth))) != null;
            }
            if (!alive || parts.length > 3) {
                continue;
            }
            int[] c = counts.computeIfAbsent(parts[0], g -> new int[2]);
            if (parts.length == 2) {
                c[0]++;
            } else if (parts.length == 3) {
                c[1]++;
            }
        }
        Map<String, GallerySize> out = new TreeMap<>();
        counts.forEach((g, c) -> out.put(g, new GallerySize(g, c[0], c[1])));
        return out;
    }

    /** The part of a dead letter's reason before its first colon: the rule, not the details of one record. */
    static String reasonClass(String reason) {
        int colon = reason.indexOf(':');
        String head = (colon < 0 ? reason : reason.substring(0, colon)).trim();
        return head.length() > 80 ? head.substring(0, 80) + "…" : head;
    }

    private static List<Group> groups(Admin admin, Duration timeout) {
        List<Group> out = new ArrayList<>();
        for (GroupListing g : get(admin.listGroups(new ListGroupsOptions()).all(), timeout)) {
            if (!g.type()
                    .map(t -> t.toString().equalsIgnoreCase("classic")
                            || t.toString().equalsIgnoreCase("consumer"))
                    .orElse(true)) {
                continue;
            }
            Map<TopicPartition, OffsetAndMetadata> committed =
                    get(admin.listConsumerGroupOffsets(g.groupId()).partitionsToOffsetAndMetadata(), timeout);
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            committed.keySet().forEach(tp -> latest.put(tp, OffsetSpec.latest()));
            long lag = 0;
            if (!latest.isEmpty()) {
                for (var e : get(admin.listOffsets(latest).all(), timeout).entrySet()) {
                    OffsetAndMetadata c = committed.get(e.getKey());
                    lag += Math.max(0, e.getValue().offset() - (c == null ? 0 : c.offset()));
                }
            }
            ConsumerGroupDescription d = get(
                            admin.describeConsumerGroups(List.of(g.groupId())).all(), timeout)
                    .get(g.groupId());
            out.add(new Group(
                    g.groupId(),
                    d == null ? "?" : d.groupState().toString(),
                    d == null ? 0 : d.members().size(),
                    lag));
        }
        out.sort(java.util.Comparator.comparing(Group::id));
        return out;
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> f, Duration timeout) {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the broker", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException(
                    "the broker did not answer: " + e.getMessage()
                            + " (is it running, and may this user describe groups and read the topics? docs/operations.md)",
                    e);
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? "" : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? "-" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The tables of the command, in the order it prints them (a mutable list: the caller adds the processes). */
    public List<Table> tables(String address) {
        long now = System.currentTimeMillis();
        List<Table> out = new ArrayList<>();
        Table cams = new Table(
                "cameras on " + address + " (frames of the last " + windowMs / 1000 + " s)",
                "camera",
                "frames",
                "fps",
                "last frame s ago");
        cameras.values()
                .forEach(c -> cams.row(
                        c.id(),
                        c.frames(),
                        String.format(Locale.ROOT, "%.1f", c.frames() * 1000.0 / windowMs),
                        String.format(Locale.ROOT, "%.1f", (now - c.lastTimestampMs()) / 1000.0)));
        out.add(cams.note("window", windowMs / 1000 + " s").note("cameras", cameras.size()));
        Table g = new Table("consumer groups", "group", "state", "members", "lag");
        groups.forEach(x -> g.row(x.id(), x.state(), x.members(), x.lag()));
        out.add(g);
        Table d = new Table(
                "dead letters on " + TopicCatalog.DLQ + " (all it holds)", "stage", "reason", "records", "last s ago");
        deadLetters
                .values()
                .forEach(x -> d.row(
                        x.stage(),
                        x.reason(),
                        x.records(),
                        String.format(Locale.ROOT, "%.0f", (now - x.lastTimestampMs()) / 1000.0)));
        out.add(d.note(
                "records",
                deadLetters.values().stream().mapToLong(Dead::records).sum()));
        Table gal = new Table("galleries", "gallery", "subjects", "media");
        galleries.values().forEach(x -> gal.row(x.gallery(), x.subjects(), x.media()));
        out.add(gal);
        Table m = new Table("model releases", "model", "version", "released", "previous");
        models.values()
                .forEach(x -> m.row(
                        x.getName(),
                        x.getVersion(),
                        x.getReleasedTsUs() == 0
                                ? "-"
                                : Instant.ofEpochMilli(x.getReleasedTsUs() / 1000)
                                        .toString(),
                        x.getPreviousVersion().isEmpty() ? "-" : x.getPreviousVersion()));
        out.add(m);
        return out;
    }
}
