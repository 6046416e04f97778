package io.facestream.core.topics;

import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The topics of the architecture (docs/architecture.md §Topics), with their retention and size policies. */
public final class TopicCatalog {
    public static final String FRAMES = "facestream.frames";
    public static final String FACES = "facestream.faces";
    public static final String MATCHES = "facestream.matches";
    public static final String GALLERY = "facestream.gallery";
    public static final String MODELS = "facestream.models";
    public static final String FEEDBACK = "facestream.feedback";
    public static final String DLQ = "facestream.dlq";
    /** Frames the embed service skipped as late in live mode, for its catch-up pass (same retention as frames). */
    public static final String LATE_FRAMES = "facestream.late-frames";

    /** Frames are full JPEG images: 8 MiB leaves room for 4K at high quality. */
    public static final int FRAME_MAX_BYTES = 8 * 1024 * 1024;

    private final List<TopicSpec> topics;

    private TopicCatalog(List<TopicSpec> topics) {
        this.topics = List.copyOf(topics);
    }

    /** The default catalog; partition counts may be overridden by {@code topics.<short-name>.partitions}. */
    public static TopicCatalog fromConfig(FacestreamConfig config) {
        List<TopicSpec> specs = new ArrayList<>();
        for (TopicSpec spec : defaults().topics) {
            String shortName = spec.name().substring("facestream.".length());
            int partitions = config.getInt("topics." + shortName + ".partitions", spec.partitions());
            specs.add(spec.withPartitions(partitions));
        }
        return new TopicCatalog(specs);
    }

    public static TopicCatalog defaults() {
        return new TopicCatalog(List.of(
                delete(FRAMES, 4, Duration.ofHours(1), FRAME_MAX_BYTES, "camera frames: key=camera, value=JPEG/PNG"),
                delete(FACES, 4, Duration.ofDays(7), 2 * 1024 * 1024, "FaceObservation per detected face"),
                delete(MATCHES, 4, Duration.ofDays(30), 1024 * 1024, "Match JSON per track decision"),
                compact(GALLERY, 1, 16 * 1024 * 1024, "GalleryEntry: galleries, subjects, media (tombstone = delete)"),
                compact(MODELS, 1, 1024 * 1024, "ModelRelease per model name"),
                compact(FEEDBACK, 1, 16 * 1024 * 1024, "operator confirm/reject per match"),
                delete(LATE_FRAMES, 4, Duration.ofHours(1), FRAME_MAX_BYTES, "frames skipped as late, for the catch-up pass"),
                delete(DLQ, 1, Duration.ofDays(7), FRAME_MAX_BYTES + 64 * 1024, "rejected input with fs.dlq.reason")));
    }

    private static TopicSpec delete(String name, int partitions, Duration retention, int maxBytes, String purpose) {
        return new TopicSpec(name, partitions, Map.of(
                "cleanup.policy", "delete",
                "retention.ms", Long.toString(retention.toMillis()),
                "max.message.bytes", Integer.toString(maxBytes)), purpose);
    }

    private static TopicSpec compact(String name, int partitions, int maxBytes, String purpose) {
        return new TopicSpec(name, partitions, Map.of(
                "cleanup.policy", "compact",
                "max.message.bytes", Integer.toString(maxBytes)), purpose);
    }

    public List<TopicSpec> topics() {
        return topics;
    }

    public TopicSpec get(String name) {
        return topics.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown topic " + name));
    }
}
