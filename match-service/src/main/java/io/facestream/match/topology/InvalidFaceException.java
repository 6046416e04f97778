package io.facestream.match.topology;

/**
 * A face record the matching topology refuses: it parsed, but it would poison a track or stop the partition. The
 * message names what is wrong and becomes the dead letter's {@code fs.dlq.reason}; the rule is the
 * {@code facestream_match_dead_letters} tag.
 */
public final class InvalidFaceException extends IllegalArgumentException {
    private final String rule;

    InvalidFaceException(String rule, String message) {
        super(message);
        this.rule = rule;
    }

    /** Which rule was broken: key, value, camera, model, capture-time, box, embedding, norm or quality. */
    public String rule() {
        return rule;
    }
}
