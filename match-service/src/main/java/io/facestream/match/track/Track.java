package io.facestream.match.track;

import io.facestream.match.template.Template;

/**
 * An open track: consecutive faces of one person in one camera.
 *
 * @param id              camera-local track number (never reused within a camera)
 * @param model           model of the template's features, {@code name:version}
 * @param startTsUs       capture time of the first face
 * @param lastTsUs        capture time of the newest face
 * @param lastFrameSeq    frame of the newest face (one face per frame per track)
 * @param lastBox         box of the newest face, for IoU with the next frame
 * @param template        fusion of the accepted faces
 * @param observed        all faces associated, accepted or not
 * @param best            highest-norm accepted face, null while none
 * @param bests           the {@link #BEST_FACES} highest-norm accepted faces, highest first (the first is
 *                        {@code best}): what an operator reviews and what a track is enrolled or rejected from; a
 *                        track stored before they were kept has its {@code best} alone
 * @param provisionalSent whether the PROVISIONAL decision was already emitted
 * @param late            a track of catch-up faces (embedded after the fact, {@code catch_up}): its decisions are late
 * @param trace           W3C {@code traceparent} of the newest face's record, null when unknown: its decisions
 *                        continue that trace, so a decision can be followed back to the frame it was last seen in
 */
public record Track(
        long id,
        String model,
        long startTsUs,
        long lastTsUs,
        long lastFrameSeq,
        Region lastBox,
        Template template,
        int observed,
        BestFace best,
        boolean provisionalSent,
        boolean late,
        String trace,
        java.util.List<BestFace> bests) {

    /** How many best faces a track keeps. */
    public static final int BEST_FACES = 3;

    public Track {
        bests = bests == null
                ? (best == null ? java.util.List.of() : java.util.List.of(best))
                : java.util.List.copyOf(bests);
    }

    /** Without its best faces beyond {@code best}. */
    public Track(
            long id,
            String model,
            long startTsUs,
            long lastTsUs,
            long lastFrameSeq,
            Region lastBox,
            Template template,
            int observed,
            BestFace best,
            boolean provisionalSent,
            boolean late,
            String trace) {
        this(
                id,
                model,
                startTsUs,
                lastTsUs,
                lastFrameSeq,
                lastBox,
                template,
                observed,
                best,
                provisionalSent,
                late,
                trace,
                null);
    }

    static Track open(long id, Sighting s) {
        return open(id, s, false);
    }

    static Track open(long id, Sighting s, boolean late) {
        Track t = new Track(
                id,
                s.model(),
                s.tsUs(),
                s.tsUs(),
                s.frameSeq(),
                s.box(),
                Template.empty(),
                0,
                null,
                false,
                late,
                s.trace());
        return t.with(s);
    }

    /** This track with one more face. A slightly late face joins the template but does not move the box back. */
    Track with(Sighting s) {
        Template tpl = s.fusable() ? template.plus(s.feature()) : template;
        BestFace b = best;
        java.util.List<BestFace> top = bests;
        if (s.fusable()) {
            BestFace face = new BestFace(s.ref(), s.norm(), s.tsUs());
            if (b == null || s.norm() > b.norm()) {
                b = face;
            }
            top = withBest(bests, face);
        }
        boolean newest = s.tsUs() >= lastTsUs;
        return new Track(
                id,
                model,
                Math.min(startTsUs, s.tsUs()),
                Math.max(lastTsUs, s.tsUs()),
                newest ? s.frameSeq() : lastFrameSeq,
                newest ? s.box() : lastBox,
                tpl,
                observed + 1,
                b,
                provisionalSent,
                late,
                newest ? s.trace() : trace,
                top);
    }

    /** The faces with one more, highest norm first (an earlier face first among equal norms), at most BEST_FACES. */
    private static java.util.List<BestFace> withBest(java.util.List<BestFace> faces, BestFace face) {
        java.util.List<BestFace> out = new java.util.ArrayList<>(faces.size() + 1);
        boolean placed = false;
        for (BestFace f : faces) {
            if (!placed && face.norm() > f.norm()) {
                out.add(face);
                placed = true;
            }
            out.add(f);
        }
        if (!placed) {
            out.add(face);
        }
        return out.size() > BEST_FACES ? out.subList(0, BEST_FACES) : out;
    }

    Track provisionalEmitted() {
        return new Track(
                id,
                model,
                startTsUs,
                lastTsUs,
                lastFrameSeq,
                lastBox,
                template,
                observed,
                best,
                true,
                late,
                trace,
                bests);
    }

    public int acceptedFaces() {
        return template.faces();
    }
}
