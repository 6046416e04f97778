package io.facestream.match.decide;

import io.facestream.core.events.Match;
import io.facestream.match.track.Track;
import io.facestream.match.track.TrackEvent;
import java.util.List;

/** Turns a track event into a Match: search the track's template, then take the open-set decision. */
public final class Identifier {
    private final GallerySearch gallery;
    private final String galleryName;
    private final int topK;

    public Identifier(GallerySearch gallery, String galleryName, int topK) {
        if (topK < 1) {
            throw new IllegalArgumentException("match.top-k must be at least 1, got " + topK);
        }
        this.gallery = gallery;
        this.galleryName = galleryName;
        this.topK = topK;
    }

    /** The gallery decisions are taken against. */
    public String galleryName() {
        return galleryName;
    }

    /** A decision as of now (a late track's lateness is measured against this host's clock). */
    public Match identify(TrackEvent event) {
        return identify(event, System.currentTimeMillis());
    }

    /**
     * @param nowMs wall-clock time of the decision: a late track's {@code late_by_ms} is this minus its last capture time
     */
    public Match identify(TrackEvent event, long nowMs) {
        Track t = event.track();
        Match.Stage stage = event instanceof TrackEvent.Closed ? Match.Stage.FINAL : Match.Stage.PROVISIONAL;
        List<Match.Candidate> candidates =
                gallery.search(galleryName, t.model(), t.template().unit(), topK);
        OpenSetThreshold threshold = gallery.threshold(galleryName, t.model());
        int sep = t.model().indexOf(':');
        Match.ModelId model =
                new Match.ModelId(t.model().substring(0, sep), t.model().substring(sep + 1));
        String trackId = Long.toString(t.id());
        return new Match(
                matchId(event.cameraId(), trackId, stage),
                trackId,
                event.cameraId(),
                t.startTsUs(),
                t.lastTsUs(),
                stage,
                OpenSetDecision.decide(candidates, threshold),
                threshold.value(),
                galleryName,
                model,
                candidates,
                t.acceptedFaces(),
                t.best() == null ? null : t.best().ref(),
                t.late(),
                t.late() ? Math.max(1, nowMs - t.lastTsUs() / 1000) : 0,
                t.bests().stream().map(io.facestream.match.track.BestFace::ref).toList());
    }

    /** {@code <camera>/<track>/<stage>}: the same decision replayed after a crash gets the same id. */
    public static String matchId(String cameraId, String trackId, Match.Stage stage) {
        return cameraId + "/" + trackId + "/" + stage;
    }
}
