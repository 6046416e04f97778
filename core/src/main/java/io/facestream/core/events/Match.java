package io.facestream.core.events;

import java.util.List;
import java.util.Objects;

/**
 * An identification decision for one track: topic {@code facestream.matches}, key = camera id, value = this as JSON
 * (snake_case; JSON Schema in {@code core/src/main/resources/schemas/match.schema.json}, described in docs/contracts.md).
 *
 * @param matchId       stable id: {@code <camera>/<track>/<stage>}, so a replayed final decision has the same id
 * @param trackId       the track within its camera
 * @param cameraId      camera the track was seen on
 * @param startTsUs     capture time of the track's first face, epoch µs
 * @param endTsUs       capture time of the track's last face so far, epoch µs
 * @param stage         {@link Stage#PROVISIONAL} while the track is open, {@link Stage#FINAL} once it closed
 * @param decision      {@link Decision#HIT} only when the best score clears the threshold, else {@link Decision#UNKNOWN}
 * @param threshold     the gallery's open-set threshold the decision was taken against
 * @param gallery       gallery searched
 * @param model         model whose vectors were compared
 * @param candidates    top-k, best first
 * @param faces         number of quality-accepted faces fused into the template
 * @param bestFace      reference of the track's best face (highest norm), e.g. {@code faces/<partition>/<offset>}
 * @param late          the track's faces were embedded by the embed service's catch-up pass (their frames were
 *                      skipped as late by the live path: an outage, a backlog), so the decision comes after the fact
 * @param lateByMs      for a late decision: how long after the track's last face (capture time) it was taken, ms;
 *                      0 for a live decision
 * @param bestFaces     references of the track's few highest-norm faces, highest first ({@code bestFace} is the
 *                      first): what an operator reviews; empty exactly when {@code bestFace} is null
 */
public record Match(
        String matchId,
        String trackId,
        String cameraId,
        long startTsUs,
        long endTsUs,
        Stage stage,
        Decision decision,
        double threshold,
        String gallery,
        ModelId model,
        List<Candidate> candidates,
        int faces,
        String bestFace,
        boolean late,
        long lateByMs,
        List<String> bestFaces) {

    public Match {
        Objects.requireNonNull(matchId, "match_id");
        Objects.requireNonNull(cameraId, "camera_id");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(decision, "decision");
        candidates = candidates == null ? List.of() : List.copyOf(candidates);
        if (lateByMs < 0) {
            throw new IllegalArgumentException("late_by_ms must not be negative, got " + lateByMs);
        }
        // a decision written before the best faces were kept names its best face alone; without it, none
        if (bestFace == null) {
            bestFaces = List.of();
        } else if (bestFaces == null || bestFaces.isEmpty()) {
            bestFaces = List.of(bestFace);
        } else {
            bestFaces = List.copyOf(bestFaces);
        }
    }

    /** A decision naming its best face alone. */
    public Match(
            String matchId,
            String trackId,
            String cameraId,
            long startTsUs,
            long endTsUs,
            Stage stage,
            Decision decision,
            double threshold,
            String gallery,
            ModelId model,
            List<Candidate> candidates,
            int faces,
            String bestFace,
            boolean late,
            long lateByMs) {
        this(
                matchId,
                trackId,
                cameraId,
                startTsUs,
                endTsUs,
                stage,
                decision,
                threshold,
                gallery,
                model,
                candidates,
                faces,
                bestFace,
                late,
                lateByMs,
                null);
    }

    /** A live decision (not late). */
    public Match(
            String matchId,
            String trackId,
            String cameraId,
            long startTsUs,
            long endTsUs,
            Stage stage,
            Decision decision,
            double threshold,
            String gallery,
            ModelId model,
            List<Candidate> candidates,
            int faces,
            String bestFace) {
        this(
                matchId,
                trackId,
                cameraId,
                startTsUs,
                endTsUs,
                stage,
                decision,
                threshold,
                gallery,
                model,
                candidates,
                faces,
                bestFace,
                false,
                0,
                null);
    }

    /**
     * The same decision without its face data (the references to the track's best faces): what the API keeps of a
     * decision about an erased subject, or about someone in no gallery past {@code privacy.unknown-retention}.
     */
    public Match withoutBestFace() {
        return bestFace == null
                ? this
                : new Match(
                        matchId,
                        trackId,
                        cameraId,
                        startTsUs,
                        endTsUs,
                        stage,
                        decision,
                        threshold,
                        gallery,
                        model,
                        candidates,
                        faces,
                        null,
                        late,
                        lateByMs,
                        List.of());
    }

    public enum Stage {
        PROVISIONAL,
        FINAL
    }

    public enum Decision {
        HIT,
        UNKNOWN
    }

    public record ModelId(String name, String version) {}

    public record Candidate(String subjectId, String mediaId, double score) {}

    /** The best candidate, or null when the gallery was empty. */
    public Candidate best() {
        return candidates.isEmpty() ? null : candidates.get(0);
    }
}
