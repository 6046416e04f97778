package io.facestream.core.topics;

import io.facestream.core.config.ConfigException;
import io.facestream.core.config.FacestreamConfig;
import java.time.Duration;
import java.util.Map;

/**
 * Retention limits between topics that no single key can express: the dead-letter topic holds frames, so it keeps
 * them no longer than the frames topic does; the faces topic holds crops of people in no gallery, so it keeps them no
 * longer than {@code privacy.unknown-retention}. A retention of -1 (forever) exceeds every limit.
 */
final class RetentionBounds {
    private RetentionBounds() {}

    static void check(Map<String, TopicSpec> specs, Duration unknownRetention, FacestreamConfig config) {
        long frames = retention(specs.get(TopicCatalog.FRAMES));
        long dlq = retention(specs.get(TopicCatalog.DLQ));
        if (dlq > frames) {
            throw new ConfigException(
                    "topics.dlq.retention.ms = " + show(dlq) + " (from " + source(config, "topics.dlq.retention.ms")
                            + ") exceeds topics.frames.retention.ms = " + show(frames) + " (from "
                            + source(config, "topics.frames.retention.ms")
                            + "): dead letters carry frames and may not outlive them; lower topics.dlq.retention.ms or raise "
                            + "topics.frames.retention.ms");
        }
        long faces = retention(specs.get(TopicCatalog.FACES));
        if (faces > unknownRetention.toMillis()) {
            throw new ConfigException("topics.faces.retention.ms = " + show(faces) + " (from "
                    + source(config, "topics.faces.retention.ms")
                    + ") exceeds privacy.unknown-retention = " + unknownRetention + " (from "
                    + config.sourceOf("privacy.unknown-retention")
                    + "): the faces topic holds crops of people in no gallery; "
                    + "lower topics.faces.retention.ms or raise privacy.unknown-retention");
        }
    }

    private static long retention(TopicSpec spec) {
        long ms = Long.parseLong(spec.configs().get("retention.ms"));
        return ms < 0 ? Long.MAX_VALUE : ms;
    }

    private static String show(long ms) {
        return ms == Long.MAX_VALUE ? "-1 (forever)" : Long.toString(ms);
    }

    private static String source(FacestreamConfig config, String key) {
        String s = config.sourceOf(key);
        return s.equals("unset") ? "the built-in value" : s;
    }
}
