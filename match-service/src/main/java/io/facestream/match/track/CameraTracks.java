package io.facestream.match.track;

import java.util.List;

/**
 * Everything the tracker remembers about one camera: the value of the state store, keyed by camera id.
 *
 * @param nextTrackId     id the next opened track gets (live and catch-up tracks share the numbering)
 * @param maxTsUs         newest capture time seen on this camera (the tracker's clock)
 * @param lastArrivalMs   wall-clock time the newest record of the camera arrived, to close tracks of a camera that
 *                        went silent
 * @param open            open tracks
 * @param progress        the newest record came from an embed service that reports the camera's progress and silence
 *                        ({@code reports_progress}): its tracks close on those, and on the wall clock only after
 *                        {@code match.track.stall-close}
 * @param lateOpen        open tracks of catch-up faces ({@code catch_up}): faces from the past, kept apart from the
 *                        live tracks so that they never reopen or split one
 * @param lateMaxTsUs     newest capture time among the catch-up faces of the current backlog (their own clock)
 * @param lateArrivalMs   wall-clock time the newest catch-up face arrived (the end of a backlog closes its tracks)
 */
public record CameraTracks(
        long nextTrackId,
        long maxTsUs,
        long lastArrivalMs,
        List<Track> open,
        boolean progress,
        List<Track> lateOpen,
        long lateMaxTsUs,
        long lateArrivalMs) {

    public CameraTracks {
        open = open == null ? List.of() : List.copyOf(open);
        lateOpen = lateOpen == null ? List.of() : List.copyOf(lateOpen); // absent in state written before catch-up
    }

    public CameraTracks(long nextTrackId, long maxTsUs, long lastArrivalMs, List<Track> open, boolean progress) {
        this(nextTrackId, maxTsUs, lastArrivalMs, open, progress, List.of(), 0, 0);
    }

    public static CameraTracks fresh() {
        return new CameraTracks(1, Long.MIN_VALUE, 0, List.of(), false);
    }

    /** The same camera with every open live track closed (handed to the caller). */
    CameraTracks withoutTracks() {
        return new CameraTracks(
                nextTrackId, maxTsUs, lastArrivalMs, List.of(), progress, lateOpen, lateMaxTsUs, lateArrivalMs);
    }

    /** The same camera with other live state: its catch-up tracks are left as they are. */
    CameraTracks withLive(long nextTrackId, long maxTsUs, long lastArrivalMs, List<Track> open, boolean progress) {
        return new CameraTracks(
                nextTrackId, maxTsUs, lastArrivalMs, open, progress, lateOpen, lateMaxTsUs, lateArrivalMs);
    }

    /** The same camera with other catch-up state: its live tracks and clock are left as they are. */
    CameraTracks withLate(long nextTrackId, List<Track> lateOpen, long lateMaxTsUs, long lateArrivalMs) {
        return new CameraTracks(
                nextTrackId, maxTsUs, lastArrivalMs, open, progress, lateOpen, lateMaxTsUs, lateArrivalMs);
    }

    /** The same camera, silence counted from {@code arrivalMs} at the earliest. */
    public CameraTracks arrivedNoEarlierThan(long arrivalMs) {
        return lastArrivalMs >= arrivalMs && (lateOpen.isEmpty() || lateArrivalMs >= arrivalMs)
                ? this
                : new CameraTracks(
                        nextTrackId,
                        maxTsUs,
                        Math.max(lastArrivalMs, arrivalMs),
                        open,
                        progress,
                        lateOpen,
                        lateMaxTsUs,
                        Math.max(lateArrivalMs, arrivalMs));
    }
}
