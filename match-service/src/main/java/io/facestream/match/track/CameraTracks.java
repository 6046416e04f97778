package io.facestream.match.track;

import java.util.List;

/**
 * Everything the tracker remembers about one camera: the value of the state store, keyed by camera id.
 *
 * @param nextTrackId     id the next opened track gets
 * @param maxTsUs         newest capture time seen on this camera (the tracker's clock)
 * @param lastArrivalMs   wall-clock time the newest record of the camera arrived, to close tracks of a camera that
 *                        went silent
 * @param open            open tracks
 * @param progress        the newest record came from an embed service that reports the camera's progress and silence
 *                        ({@code reports_progress}): its tracks close on those, and on the wall clock only after
 *                        {@code match.track.stall-close}
 */
public record CameraTracks(long nextTrackId, long maxTsUs, long lastArrivalMs, List<Track> open, boolean progress) {

    public CameraTracks {
        open = open == null ? List.of() : List.copyOf(open);
    }

    public static CameraTracks fresh() {
        return new CameraTracks(1, Long.MIN_VALUE, 0, List.of(), false);
    }

    /** The same camera with every open track closed (handed to the caller). */
    CameraTracks withoutTracks() {
        return new CameraTracks(nextTrackId, maxTsUs, lastArrivalMs, List.of(), progress);
    }

    /** The same camera, silence counted from {@code arrivalMs} at the earliest. */
    public CameraTracks arrivedNoEarlierThan(long arrivalMs) {
        return lastArrivalMs >= arrivalMs ? this : new CameraTracks(nextTrackId, maxTsUs, arrivalMs, open, progress);
    }
}
