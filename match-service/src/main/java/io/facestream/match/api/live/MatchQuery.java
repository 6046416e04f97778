package io.facestream.match.api.live;

import io.facestream.core.events.Match;

/**
 * A filter over recent matches; null fields match everything. Times are capture times in epoch µs: a match is in
 * range when its track overlaps [from, to].
 */
public record MatchQuery(
        String camera,
        Long fromUs,
        Long toUs,
        String subject,
        Match.Decision decision,
        Match.Stage stage,
        String track,
        Boolean late,
        int offset,
        int limit) {
    public static final int MAX_LIMIT = 1000;

    public MatchQuery {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be in 1.." + MAX_LIMIT + ", got " + limit);
        }
        if (fromUs != null && toUs != null && fromUs > toUs) {
            throw new IllegalArgumentException("from (" + fromUs + ") is after to (" + toUs + ")");
        }
    }

    public boolean matches(Match m) {
        return (camera == null || camera.equals(m.cameraId()))
                && (fromUs == null || m.endTsUs() >= fromUs)
                && (toUs == null || m.startTsUs() <= toUs)
                && (subject == null
                        || (m.best() != null
                                && subject.equals(m.best().subjectId())
                                && m.decision() == Match.Decision.HIT))
                && (decision == null || decision == m.decision())
                && (stage == null || stage == m.stage())
                && (track == null || track.equals(m.trackId()))
                && (late == null || late == m.late());
    }
}
