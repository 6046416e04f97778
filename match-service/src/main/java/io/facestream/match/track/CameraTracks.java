package io.facestream.match.track;

import java.util.List;

/**
 * Everything the tracker remembers about one camera: the value of the state store, keyed by camera id.
 *
 * @param nextTrackId     id the next opened track gets
 * @param maxTsUs         newest capture time seen on this camera (the tracker's clock)
 * @param lastArrivalMs   wall-clock time the newest face arrived, to close tracks of a camera that went silent
 * @param open            open tracks
 */
public record CameraTracks(long nextTrackId, long maxTsUs, long lastArrivalMs, List<Track> open) {

    public CameraTracks {
        open = open == null ? List.of() : List.copyOf(open);
    }

    public static CameraTracks fresh() {
        return new CameraTracks(1, Long.MIN_VALUE, 0, List.of());
    }
}
