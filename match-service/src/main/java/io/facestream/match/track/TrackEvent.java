package io.facestream.match.track;

/** What the tracker reports downstream: a track became confident, or a track closed. */
public sealed interface TrackEvent {
    String cameraId();

    Track track();

    /** Enough accepted faces for a first (PROVISIONAL) decision; emitted once per track. */
    record Confident(String cameraId, Track track) implements TrackEvent {}

    /** The track ended (no face for the close-after time, or the camera went silent): FINAL decision. */
    record Closed(String cameraId, Track track) implements TrackEvent {}
}
