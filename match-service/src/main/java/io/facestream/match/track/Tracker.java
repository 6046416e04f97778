package io.facestream.match.track;

import io.facestream.core.vector.Vectors;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-camera multi-face tracker, a pure function from (camera state, face) to (camera state, events), so that the
 * Streams processor only loads, stores and forwards, and the logic is tested without Kafka.
 *
 * <p>Association: each face joins the open track with the best IoU + appearance score among the admissible ones
 * (enough overlap and not clearly someone else, or a very similar appearance after a short occlusion), else it opens
 * a track. Time is capture time only, so a replay yields the same tracks, however fast the faces come: a track
 * closes once the camera's watermark (newest capture time minus the reorder window) is {@code closeAfter} past its
 * last face. The embed service's progress records move that clock on frames without faces and report a camera whose
 * frames stopped ({@link #progress}). Faces older than the watermark are late and reported, not tracked.
 *
 * <p>Catch-up faces ({@code catch_up}: frames the embed service skipped as late and embedded afterwards) lie in the
 * past: they make tracks of their own ({@link Track#late()}), with their own capture-time clock, so they never reopen,
 * join or split a live track, and the live clock never moves for them. Their tracks close by capture time as live
 * ones do; an earlier stretch of the past (a face older than their clock by more than the reorder window) closes
 * them all, and so does the end of the backlog (no catch-up face for {@code idle-close}). They get no PROVISIONAL
 * decision: only the FINAL one, which is late.
 */
public final class Tracker {
    private final TrackerSettings settings;

    public Tracker(TrackerSettings settings) {
        this.settings = settings;
    }

    /** The result of one step: the new camera state, the events to emit, and whether the face was late. */
    public record Step(CameraTracks state, List<TrackEvent> events, boolean late) {}

    /** A face of an embed service that reports no progress. */
    public Step observe(CameraTracks state, Sighting s, long arrivalMs) {
        return observe(state, s, arrivalMs, false);
    }

    /**
     * One face.
     *
     * @param arrivalMs       wall-clock time it arrived (only for {@link #closeIfIdle})
     * @param reportsProgress the face says its embed service reports the camera's progress and silence
     */
    public Step observe(CameraTracks state, Sighting s, long arrivalMs, boolean reportsProgress) {
        return observe(state, s, arrivalMs, reportsProgress, false);
    }

    /**
     * One face, live or from the embed service's catch-up pass.
     *
     * @param catchUp the face says it was embedded by the catch-up pass: it joins the camera's late tracks only
     */
    public Step observe(CameraTracks state, Sighting s, long arrivalMs, boolean reportsProgress, boolean catchUp) {
        if (catchUp) {
            return observeLate(state, s, arrivalMs);
        }
        long reorder = settings.reorderWindowUs();
        if (state.maxTsUs() != Long.MIN_VALUE && s.tsUs() < state.maxTsUs() - reorder) {
            return new Step(state, List.of(), true);
        }
        long maxTs = Math.max(state.maxTsUs(), s.tsUs());
        List<TrackEvent> events = new ArrayList<>();
        List<Track> open = closeOld(s.cameraId(), state.open(), maxTs, false, events);
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
        return new Step(state.withLive(nextId, maxTs, arrivalMs, open, reportsProgress), events, false);
    }

    /** A catch-up face: the late tracks and their clock only. */
    private Step observeLate(CameraTracks state, Sighting s, long arrivalMs) {
        List<TrackEvent> events = new ArrayList<>();
        List<Track> open = new ArrayList<>(state.lateOpen());
        long clock = state.lateMaxTsUs();
        if (!open.isEmpty() && s.tsUs() < clock - settings.reorderWindowUs()) {
            // an earlier stretch of the past (another outage, another frames partition's turn): this one is over
            open.forEach(t -> events.add(new TrackEvent.Closed(s.cameraId(), t)));
            open.clear();
        }
        clock = open.isEmpty() ? s.tsUs() : Math.max(clock, s.tsUs());
        open = closeOld(s.cameraId(), open, clock, false, events);
        int chosen = associate(open, s);
        long nextId = state.nextTrackId();
        if (chosen >= 0) {
            open.set(chosen, open.get(chosen).with(s));
        } else {
            open.add(Track.open(nextId++, s, true));
        }
        return new Step(state.withLate(nextId, open, clock, arrivalMs), events, false);
    }

    /**
     * A progress record of the embed service: the camera's frames are processed up to capture time {@code tsUs}, so
     * its clock moves there as it would with a face (tracks {@code closeAfter} behind the watermark close). With a
     * reported silence of at least {@code idleClose} (the camera's frames stopped at the source), every open track
     * closes. Both come in the partition's order after the camera's faces, so the tracks do not depend on when they
     * arrive.
     */
    public Step progress(CameraTracks state, String cameraId, long tsUs, long silentMs, long arrivalMs) {
        long maxTs = Math.max(state.maxTsUs(), tsUs);
        boolean silent = silentMs >= settings.idleClose().toMillis();
        List<TrackEvent> events = new ArrayList<>();
        List<Track> open = closeOld(cameraId, state.open(), maxTs, silent, events);
        return new Step(state.withLive(state.nextTrackId(), maxTs, arrivalMs, open, true), events, false);
    }

    /**
     * Closes every open track of a camera from which nothing has arrived (wall clock) for the idle-close time, or, when
     * its embed service reports progress (and so reports silence itself), for the much longer stall-close time.
     */
    public Step closeIfIdle(String cameraId, CameraTracks state, long nowMs) {
        Duration limit = state.progress() ? settings.stallClose() : settings.idleClose();
        List<TrackEvent> events = new ArrayList<>();
        CameraTracks next = state;
        if (!state.open().isEmpty() && nowMs - state.lastArrivalMs() >= limit.toMillis()) {
            for (Track t : state.open()) {
                events.add(new TrackEvent.Closed(cameraId, t));
            }
            next = next.withoutTracks();
        }
        // the catch-up pass writes no progress records: the end of its backlog is the end of its faces
        if (!state.lateOpen().isEmpty()
                && nowMs - state.lateArrivalMs() >= settings.idleClose().toMillis()) {
            for (Track t : state.lateOpen()) {
                events.add(new TrackEvent.Closed(cameraId, t));
            }
            next = next.withLate(next.nextTrackId(), List.of(), next.lateMaxTsUs(), next.lateArrivalMs());
        }
        return new Step(next, events, false);
    }

    /** The tracks still open at clock {@code maxTs}; the others (all of them when {@code all}) go to {@code events}. */
    private List<Track> closeOld(
            String cameraId, List<Track> tracks, long maxTs, boolean all, List<TrackEvent> events) {
        long closeBefore = maxTs - settings.reorderWindowUs() - settings.closeAfterUs();
        List<Track> open = new ArrayList<>();
        for (Track t : tracks) {
            if (all || t.lastTsUs() < closeBefore) {
                events.add(new TrackEvent.Closed(cameraId, t));
            } else {
                open.add(t);
            }
        }
        return open;
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
                    ? Vectors.cosine(s.feature(), t.template().unit())
                    : Double.NaN;
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
