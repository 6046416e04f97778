package io.facestream.match.topology;

import io.facestream.match.track.Track;
import io.facestream.match.track.TrackEvent;

/**
 * A track event whose decision waits for its model version to reach the gallery, as kept in the held-decisions
 * store (JSON, like the tracker's store, so a changelog record can be read when debugging).
 *
 * @param cameraId    the camera (the record key)
 * @param closed      a FINAL decision (track closed) rather than a PROVISIONAL one
 * @param track       the track as it was when the event happened
 * @param timestamp   the event record's timestamp, given to the decision when it is finally forwarded
 * @param heldSinceMs wall clock when the hold began
 */
record HeldDecision(String cameraId, boolean closed, Track track, long timestamp, long heldSinceMs) {

    static HeldDecision of(TrackEvent event, long timestamp, long nowMs) {
        return new HeldDecision(event.cameraId(), event instanceof TrackEvent.Closed, event.track(), timestamp, nowMs);
    }

    TrackEvent event() {
        return closed ? new TrackEvent.Closed(cameraId, track) : new TrackEvent.Confident(cameraId, track);
    }
}
