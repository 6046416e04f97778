package io.facestream.match.history;

import io.facestream.core.events.CameraId;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.topics.TopicCatalog;
import java.util.regex.Pattern;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * What the history accepts from {@code facestream.matches}: a Match JSON keyed by its camera, with a match id of that
 * camera, capture times that make sense, finite scores and a best-face reference the crop route can read. Anything
 * else is refused with a reason (the record goes to {@code facestream.dlq}) so that one bad record neither stops the
 * history nor lands in it.
 */
final class DecisionCheck {
    /** A refusal: {@code rule} is the reason's code in {@code facestream_dlq_records_total{reason}}. */
    static final class Refused extends IllegalArgumentException {
        final String rule;

        Refused(String rule, String message) {
            super(message);
            this.rule = rule;
        }
    }

    private static final Pattern BEST_FACE = Pattern.compile("faces/[0-9]{1,6}/[0-9]{1,19}");
    private final Deserializer<Match> values = JsonSerde.match().deserializer();

    /** The decision in the record, or a {@link Refused} saying what is wrong with it. */
    Match check(String key, byte[] value) {
        if (value == null) {
            throw new Refused(
                    "tombstone",
                    "value is missing (a tombstone): a decision is a Match JSON, and decisions"
                            + " are keyed by camera, so a tombstone removes nothing");
        }
        Match m;
        try {
            m = values.deserialize(TopicCatalog.MATCHES, value);
        } catch (RuntimeException e) {
            throw new Refused("undecodable", "not a Match JSON (" + value.length + " bytes): " + e.getMessage());
        }
        if (m == null) {
            throw new Refused("undecodable", "value is JSON null: a decision is a Match JSON object");
        }
        try {
            CameraId.of(m.cameraId());
        } catch (IllegalArgumentException e) {
            throw new Refused("camera", "camera_id: " + e.getMessage());
        }
        if (key == null) {
            throw new Refused("key", "key is missing: a decision's key is its camera id");
        }
        if (!key.equals(m.cameraId())) {
            throw new Refused(
                    "camera",
                    "camera_id '" + m.cameraId() + "' differs from the key '" + key
                            + "': the key must be the camera id");
        }
        if (!m.matchId().startsWith(m.cameraId() + "/") || m.matchId().length() > 512) {
            throw new Refused(
                    "match-id",
                    "match_id '" + abbreviate(m.matchId()) + "' is not <camera>/<track>/<stage>" + " of camera "
                            + m.cameraId());
        }
        if (m.startTsUs() <= 0) {
            throw new Refused("capture-time", "start_ts_us must be positive epoch microseconds, got " + m.startTsUs());
        }
        if (m.endTsUs() < m.startTsUs()) {
            throw new Refused(
                    "capture-time",
                    "end_ts_us " + m.endTsUs() + " is before start_ts_us " + m.startTsUs()
                            + ": a track ends after it starts");
        }
        if (!Double.isFinite(m.threshold())) {
            throw new Refused("score", "threshold is not finite: " + m.threshold());
        }
        for (int i = 0; i < m.candidates().size(); i++) {
            Match.Candidate c = m.candidates().get(i);
            if (c == null || c.subjectId() == null || c.subjectId().isEmpty()) {
                throw new Refused("candidate", "candidate " + i + " names no subject");
            }
            if (!Double.isFinite(c.score())) {
                throw new Refused("score", "candidate " + i + " score is not finite: " + c.score());
            }
        }
        if (m.bestFace() != null && !BEST_FACE.matcher(m.bestFace()).matches()) {
            throw new Refused(
                    "best-face", "best_face '" + abbreviate(m.bestFace()) + "' is not faces/<partition>/<offset>");
        }
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
