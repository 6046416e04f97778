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
    private static final Pattern BEST_FACE = Pattern.compile("faces/[0-9]{1,6}/[0-9]{1,19}");
    private final Deserializer<Match> values = JsonSerde.match().deserializer();

    /** The decision in the record, or an {@link IllegalArgumentException} saying what is wrong with it. */
    Match check(String key, byte[] value) {
        if (value == null) {
            throw new IllegalArgumentException(
                    "value is missing (a tombstone): a decision is a Match JSON, and decisions"
                            + " are keyed by camera, so a tombstone removes nothing");
        }
        Match m;
        try {
            m = values.deserialize(TopicCatalog.MATCHES, value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("not a Match JSON (" + value.length + " bytes): " + e.getMessage());
        }
        if (m == null) {
            throw new IllegalArgumentException("value is JSON null: a decision is a Match JSON object");
        }
        CameraId.of(m.cameraId()); // names what is wrong with the camera id
        if (key == null) {
            throw new IllegalArgumentException("key is missing: a decision's key is its camera id");
        }
        if (!key.equals(m.cameraId())) {
            throw new IllegalArgumentException("camera_id '" + m.cameraId() + "' differs from the key '" + key
                    + "': the key must be the camera id");
        }
        if (!m.matchId().startsWith(m.cameraId() + "/") || m.matchId().length() > 512) {
            throw new IllegalArgumentException("match_id '" + abbreviate(m.matchId())
                    + "' is not <camera>/<track>/<stage>" + " of camera " + m.cameraId());
        }
        if (m.startTsUs() <= 0) {
            throw new IllegalArgumentException("start_ts_us must be positive epoch microseconds, got " + m.startTsUs());
        }
        if (m.endTsUs() < m.startTsUs()) {
            throw new IllegalArgumentException("end_ts_us " + m.endTsUs() + " is before start_ts_us " + m.startTsUs()
                    + ": a track ends after it starts");
        }
        if (!Double.isFinite(m.threshold())) {
            throw new IllegalArgumentException("threshold is not finite: " + m.threshold());
        }
        for (int i = 0; i < m.candidates().size(); i++) {
            Match.Candidate c = m.candidates().get(i);
            if (c == null || c.subjectId() == null || c.subjectId().isEmpty()) {
                throw new IllegalArgumentException("candidate " + i + " names no subject");
            }
            if (!Double.isFinite(c.score())) {
                throw new IllegalArgumentException("candidate " + i + " score is not finite: " + c.score());
            }
        }
        if (m.bestFace() != null && !BEST_FACE.matcher(m.bestFace()).matches()) {
            throw new IllegalArgumentException(
                    "best_face '" + abbreviate(m.bestFace()) + "' is not faces/<partition>/<offset>");
        }
        return m;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
