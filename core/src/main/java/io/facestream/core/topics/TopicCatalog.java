package io.facestream.core.topics;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The topics of the architecture (docs/architecture.md §Topics), with their retention and size policies; docs/privacy.md
 * says what each holds and for how long.
 */
public final class TopicCatalog {
    public static final String FRAMES = "facestream.frames";
    public static final String FACES = "facestream.faces";
    public static final String MATCHES = "facestream.matches";
    public static final String GALLERY = "facestream.gallery";
    public static final String MODELS = "facestream.models";
    public static final String FEEDBACK = "facestream.feedback";
    /** CameraSpec per camera id, written by the API, followed by ingest (tombstone = removed). */
    public static final String CAMERAS = "facestream.cameras";
    /** CameraState per camera id, written by ingest, read by the API. */
    public static final String CAMERA_STATUS = "facestream.camera-status";

    public static final String DLQ = "facestream.dlq";
    /** Frames the embed service skipped as late in live mode, for its catch-up pass (same retention as frames). */
    public static final String LATE_FRAMES = "facestream.late-frames";

    /** Frames are full JPEG images: 8 MiB leaves room for 4K at high quality. */
    public static final int FRAME_MAX_BYTES = 8 * 1024 * 1024;

    /** Built-in retention of faces (crops of everyone, known or not): below {@code privacy.unknown-retention}'s default. */
    public static final Duration FACES_RETENTION = Duration.ofHours(18);
    /** Built-in {@code delete.retention.ms} of the gallery: how long a subject's tombstones stay readable after compaction. */
    public static final Duration GALLERY_DELETE_RETENTION = Duration.ofHours(6);

    /** Bounds of a delete-policy topic's built-in segment.ms: not a file per second, not more than a day per file. */
    static final Duration MIN_SEGMENT = Duration.ofMinutes(1);

    static final Duration MAX_SEGMENT = Duration.ofDays(1);

    private final List<TopicSpec> topics;

    private TopicCatalog(List<TopicSpec> topics) {
        this.topics = List.copyOf(topics);
    }

    /**
     * The catalog as configured: {@code topics.<short-name>.partitions} and any Kafka topic config as
     * {@code topics.<short-name>.<config>} (checked against Kafka's definitions, see {@link TopicConfigs}) over the
     * built-in settings, which follow {@code privacy.unknown-retention} and {@code privacy.erasure-deadline}. Refuses a
     * configuration that keeps dead letters (frames) longer than frames, or faces longer than the unknown may be kept.
     */
    public static TopicCatalog fromConfig(FacestreamConfig config) {
        Duration unknown = config.getDuration("privacy.unknown-retention");
        Duration deadline = config.getDuration("privacy.erasure-deadline");
        Map<String, TopicSpec> specs = new LinkedHashMap<>();
        for (TopicSpec spec : builtIn(unknown, deadline)) {
            String key = "topics." + shortName(spec.name());
            int partitions = config.getInt(key + ".partitions", spec.partitions());
            Map<String, String> configs = new TreeMap<>(spec.configs());
            Map<String, String> set = new TreeMap<>();
            config.section(key).forEach((name, value) -> {
                if (!name.equals("partitions")) {
                    set.put(name, value.toString());
                }
            });
            TopicConfigs.check(key, set, config::sourceOf);
            configs.putAll(set);
            if ((spec.name().equals(DLQ) || spec.name().equals(LATE_FRAMES)) && !set.containsKey("retention.ms")) {
                // dead letters and late frames carry frames: by default they are kept exactly as long as frames are
                configs.put("retention.ms", specs.get(FRAMES).configs().get("retention.ms"));
            }
            long retention = Long.parseLong(configs.getOrDefault("retention.ms", "-1"));
            if ("delete".equals(configs.get("cleanup.policy")) && retention > 0 && !set.containsKey("segment.ms")) {
                // Kafka deletes whole segments once their newest record is past retention: a segment spanning a tenth
                // of it keeps a record at most 1.1 times its retention (Kafka's own default rolls once a week)
                configs.put(
                        "segment.ms",
                        Long.toString(Math.clamp(retention / 10, MIN_SEGMENT.toMillis(), MAX_SEGMENT.toMillis())));
            }
            specs.put(spec.name(), new TopicSpec(spec.name(), partitions, configs, spec.purpose()));
        }
        RetentionBounds.check(specs, unknown, config);
        return new TopicCatalog(new ArrayList<>(specs.values()));
    }

    /** The catalog of the built-in configuration (no file, environment or flags). */
    public static TopicCatalog defaults() {
        return fromConfig(FacestreamConfig.builder().isolated().build());
    }

    /** {@code facestream.faces} -> {@code faces}: the part of a topic's name its configuration keys use. */
    public static String shortName(String topic) {
        return topic.substring("facestream.".length());
    }

    private static List<TopicSpec> builtIn(Duration unknown, Duration erasureDeadline) {
        // a tombstone's record is gone once its segment is closed (segment.ms) and the cleaner has run on it
        // (max.compaction.lag.ms): half the deadline each keeps the sum within it
        Duration half = erasureDeadline.dividedBy(2);
        Duration faces = FACES_RETENTION.compareTo(unknown) <= 0 ? FACES_RETENTION : unknown;
        return List.of(
                delete(FRAMES, 4, Duration.ofHours(1), FRAME_MAX_BYTES, "camera frames: key=camera, value=JPEG/PNG"),
                delete(FACES, 4, faces, 2 * 1024 * 1024, "FaceObservation per detected face"),
                delete(MATCHES, 4, Duration.ofDays(30), 1024 * 1024, "Match JSON per track decision"),
                compact(
                        GALLERY,
                        1,
                        16 * 1024 * 1024,
                        half,
                        Map.of("delete.retention.ms", Long.toString(GALLERY_DELETE_RETENTION.toMillis())),
                        "GalleryEntry: galleries, subjects, media (tombstone = delete)"),
                compact(MODELS, 1, 1024 * 1024, half, Map.of(), "ModelRelease per model name"),
                compact(FEEDBACK, 1, 16 * 1024 * 1024, half, Map.of(), "operator confirm/reject per match"),
                compact(CAMERAS, 1, 64 * 1024, half, Map.of(), "CameraSpec per camera id (tombstone = removed)"),
                compact(CAMERA_STATUS, 1, 64 * 1024, half, Map.of(), "CameraState per camera id, from ingest"),
                delete(
                        LATE_FRAMES,
                        4,
                        Duration.ofHours(1),
                        FRAME_MAX_BYTES,
                        "frames skipped as late, for the catch-up pass"),
                delete(DLQ, 1, Duration.ofHours(1), FRAME_MAX_BYTES + 64 * 1024, "rejected input with fs.dlq.reason"));
    }

    private static TopicSpec delete(String name, int partitions, Duration retention, int maxBytes, String purpose) {
        return new TopicSpec(
                name,
                partitions,
                Map.of(
                        "cleanup.policy", "delete",
                        "retention.ms", Long.toString(retention.toMillis()),
                        "max.message.bytes", Integer.toString(maxBytes)),
                purpose);
    }

    private static TopicSpec compact(
            String name,
            int partitions,
            int maxBytes,
            Duration compactionHalf,
            Map<String, String> more,
            String purpose) {
        Map<String, String> c = new TreeMap<>(more);
        c.put("cleanup.policy", "compact");
        c.put("max.message.bytes", Integer.toString(maxBytes));
        c.put("segment.ms", Long.toString(Math.max(1, compactionHalf.toMillis())));
        c.put("max.compaction.lag.ms", Long.toString(Math.max(1, compactionHalf.toMillis())));
        return new TopicSpec(name, partitions, c, purpose);
    }

    public List<TopicSpec> topics() {
        return topics;
    }

    public TopicSpec get(String name) {
        return topics.stream()
                .filter(t -> t.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown topic " + name));
    }
}
