package io.facestream.ops.chaos;

import io.facestream.core.events.Box;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.ModelRef;

/**
 * Faces of synthetic tracks for the match service, without any model: track {@code t} points in its own direction of
 * a 16-dimensional feature space, and lies 3 s of capture time after track {@code t - 1}, so that with the tracker's
 * defaults each track is exactly one track with one FINAL decision. The fault-injection campaign and the match
 * service's kill-and-restart test use them.
 */
public final class SyntheticTracks {
    /** Capture time between the starts of two tracks: longer than the tracker's idle close. */
    public static final long TRACK_SPACING_US = 3_000_000L;

    private SyntheticTracks() {}

    /** Face {@code face} of track {@code track} on {@code camera}, tracks counted from capture time {@code t0Us}. */
    public static FaceObservation face(String camera, int track, int face, int facesPerTrack, long t0Us) {
        FaceObservation.Builder o = FaceObservation.newBuilder()
                .setCameraId(camera)
                .setFrameSeq((long) track * facesPerTrack + face)
                .setCaptureTsUs(t0Us + track * TRACK_SPACING_US + face * 40_000L)
                .setBox(Box.newBuilder()
                        .setX(100 + 2 * face)
                        .setY(100)
                        .setWidth(60)
                        .setHeight(60))
                .setModel(ModelRef.newBuilder().setName("mobilefacenet").setVersion("1"))
                .setNorm(20);
        for (int i = 0; i < 16; i++) {
            o.addEmbedding(i == track % 16 ? 20f : 0.3f * face);
        }
        return o.build();
    }
}
