package io.facestream.ingest;

import io.facestream.ingest.metrics.CameraMetrics;

/**
 * Where one camera stands.
 *
 * @param camera the camera id, or the definition as written when it was invalid
 * @param state  its state
 * @param error  why it failed, or null
 * @param counts its counters (zero for a camera that never started)
 */
public record CameraStatus(String camera, State state, String error, CameraMetrics.Snapshot counts) {
    public enum State {
        RUNNING,
        /** Recorded input ended (at-end: stop). */
        FINISHED,
        /** Stopped on request. */
        STOPPED,
        FAILED;

        public boolean ended() {
            return this != RUNNING;
        }
    }
}
