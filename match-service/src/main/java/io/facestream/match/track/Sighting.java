package io.facestream.match.track;

import io.facestream.core.events.FaceObservation;

/**
 * One face as the tracker sees it: where, when, the raw feature and whether quality accepted it.
 *
 * @param cameraId  camera of the frame
 * @param frameSeq  frame number within the camera (a track takes at most one face per frame)
 * @param tsUs      capture time, epoch µs: the tracker's only clock
 * @param box       face box in frame pixels
 * @param feature   raw feature (not unit length), empty when the embedder did not produce one
 * @param norm      the feature's norm (quality signal)
 * @param rejected  below the quality threshold: it keeps a track alive but never enters the template
 * @param model     model that produced the feature, {@code name:version}
 * @param ref       where the observation lives, {@code faces/<partition>/<offset>}
 * @param trace     the face record's W3C {@code traceparent}, null when unknown: the decision continues its trace
 */
public record Sighting(
        String cameraId,
        long frameSeq,
        long tsUs,
        Region box,
        float[] feature,
        float norm,
        boolean rejected,
        String model,
        String ref,
        String trace) {

    /** A sighting without a trace. */
    public Sighting(
            String cameraId,
            long frameSeq,
            long tsUs,
            Region box,
            float[] feature,
            float norm,
            boolean rejected,
            String model,
            String ref) {
        this(cameraId, frameSeq, tsUs, box, feature, norm, rejected, model, ref, null);
    }

    public Sighting {
        if (feature == null) {
            feature = new float[0];
        }
    }

    public boolean hasFeature() {
        return feature.length > 0;
    }

    /** Accepted by quality and carrying a feature: the only faces a template is made of. */
    public boolean fusable() {
        return !rejected && hasFeature();
    }

    public static Sighting of(FaceObservation o, int partition, long offset) {
        float[] f = new float[o.getEmbeddingCount()];
        for (int i = 0; i < f.length; i++) {
            f[i] = o.getEmbedding(i);
        }
        if (!o.hasBox()) {
            throw new IllegalArgumentException("face observation " + o.getCameraId() + "#" + o.getFrameSeq() + "/"
                    + o.getFaceIndex() + " has no box");
        }
        Region box = new Region(
                o.getBox().getX(),
                o.getBox().getY(),
                o.getBox().getWidth(),
                o.getBox().getHeight());
        String model = o.getModel().getName() + ":" + o.getModel().getVersion();
        return new Sighting(
                o.getCameraId(),
                o.getFrameSeq(),
                o.getCaptureTsUs(),
                box,
                f,
                o.getNorm(),
                o.getRejected(),
                model,
                "faces/" + partition + "/" + offset);
    }

    /** This sighting as part of the trace {@code traceparent} (its face record's). */
    public Sighting withTrace(String traceparent) {
        return new Sighting(cameraId, frameSeq, tsUs, box, feature, norm, rejected, model, ref, traceparent);
    }
}
