package io.facestream.match.track;

import io.facestream.core.vector.Vectors;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-camera multi-face tracker, a pure function from (camera state, face) to (camera state, events), so that the
 * Streams processor only loads, stores and forwards, and the logic is tested without Kafka.
 *
 * <p>Association: each face joins the open track with the best IoU + appearance score among the admissible ones
 * (enough overlap and not clearly someone else, or a very similar appearance after a short occlusion), else it opens
 * a track. Time is capture time only, so a replay yields the same tracks: a track closes once the camera's
 * watermark (newest capture time minus the reorder window) is {@code closeAfter} past its last face. Faces older than
 * the watermark are late and reported, not tracked.
 */
public final class Tracker {
    private final TrackerSettings settings;

    public Tracker(TrackerSettings settings) {
        this.settings = settings;
    }

    /** The result of one step: the new camera state, the events to emit, and whether the face was late. */
    public record Step(CameraTracks state, List<TrackEvent> events, boolean late) {}

    public Step observe(CameraTracks state, Sighting s, long arrivalMs) {
        long reorder = settings.reorderWindowUs();
        if (state.maxTsUs() != Long.MIN_VALUE && s.tsUs() < state.maxTsUs() - reorder) {
            return new Step(state, List.of(), true);
        }
        long maxTs = Math.max(state.maxTsUs(), s.tsUs());
        long closeBefore = maxTs - reorder - settings.closeAfterUs();
        List<TrackEvent> events = new ArrayList<>();
        List<Track> open = new ArrayList<>();
        for (Track t : state.open()) {
            if (t.lastTsUs() < closeBefore) {
                events.add(new TrackEvent.Closed(s.cameraId(), t));
            } else {
                open.add(t);
            }
        }
        int chosen = associate(open, s);
        long nextId = state.nextTrackId();
        Track track;
        if (chosen >= 0) {
            track = open.get(chosen).with(s);
        } else {
            track = Track.open(nextId++, s);
            chosen = open.size();
            open.add(track);
        }
        if (!track.provisionalSent() && track.acceptedFaces() >= settings.provisionalMinFaces()) {
            track = track.provisionalEmitted();
            events.add(new TrackEvent.Confident(s.cameraId(), track));
        }
        open.set(chosen, track);
        return new Step(new CameraTracks(nextId, maxTs, arrivalMs, open), events, false);
    }

    /** Closes every open track of a camera that has been silent (wall clock) for the idle-close time. */
    public Step closeIfIdle(String cameraId, CameraTracks state, long nowMs) {
        if (state.open().isEmpty() || nowMs - state.lastArrivalMs() < settings.idleClose().toMillis()) {
            return new Step(state, List.of(), false);
        }
        List<TrackEvent> events = new ArrayList<>();
        for (Track t : state.open()) {
            events.add(new TrackEvent.Closed(cameraId, t));
        }
        return new Step(new CameraTracks(state.nextTrackId(), state.maxTsUs(), state.lastArrivalMs(), List.of()), events, false);
    }

    /** Index of the open track this face joins, or -1 for a new track. */
    private int associate(List<Track> open, Sighting s) {
        int best = -1;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < open.size(); i++) {
            Track t = open.get(i);
            if (!t.model().equals(s.model())
                    || (t.lastFrameSeq() == s.frameSeq() && t.lastTsUs() == s.tsUs())
                    || Math.abs(s.tsUs() - t.lastTsUs()) > settings.closeAfterUs()) {
                continue;
            }
            double iou = s.box().iou(t.lastBox());
            double appearance = s.fusable() && !t.template().isEmpty()
                    ? Vectors.cosine(s.feature(), t.template().unit()) : Double.NaN;
            boolean known = !Double.isNaN(appearance);
            boolean admissible = (iou >= settings.minIou() && (!known || appearance >= settings.minAppearanceWithIou()))
                    || (known && appearance >= settings.minAppearanceAlone());
            if (!admissible) {
                continue;
            }
            double score = iou + (known ? appearance : 0);
            if (score > bestScore) {
                bestScore = score;
                best = i;
            }
        }
        return best;
    }
}
