package io.facestream.synth;

import io.facestream.embed.align.ReferenceLandmarks;
import java.util.stream.DoubleStream;

/**
 * The canonical face frame every identity is drawn in: a {@value #SIZE}×{@value #SIZE} canvas whose centre 112×112
 * square holds the standard 5-point alignment template (AdaFace/ArcFace reference landmarks, shifted by
 * {@value #OFFSET}). The margin keeps forehead, hair and chin, which a real face crop also shows.
 */
public final class Canonical {
    public static final int SIZE = 160;
    public static final int OFFSET = (SIZE - 112) / 2;

    /**
     * Left eye, right eye, nose tip, left and right mouth corner (image left/right), in the 112×112 template: the
     * embedder's alignment template ({@link ReferenceLandmarks#ARCFACE_112}), interleaved x, y.
     */
    private static final double[] TEMPLATE_112 = ReferenceLandmarks.ARCFACE_112.stream()
            .flatMapToDouble(p -> DoubleStream.of(p.x(), p.y()))
            .toArray();

    /**
     * The ground-truth face box in the 112 template: a square a little wider than the eye-to-mouth region, the
     * size a face detector reports (eye distance ≈ 0.4 of the box width). Face size in the data set = its width.
     */
    public static final double BOX_X = 12, BOX_Y = 18, BOX_SIZE = 88;

    private Canonical() {}

    /** The template landmarks in canonical coordinates, interleaved x,y. */
    public static double[] landmarks() {
        double[] out = TEMPLATE_112.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += OFFSET;
        }
        return out;
    }

    /** The 112×112 template itself (for aligning a rendered face back to the embedding model's input). */
    public static double[] template112() {
        return TEMPLATE_112.clone();
    }

    /** Box corners {x0, y0, x1, y1} in canonical coordinates. */
    public static double[] box() {
        return new double[] {BOX_X + OFFSET, BOX_Y + OFFSET, BOX_X + BOX_SIZE + OFFSET, BOX_Y + BOX_SIZE + OFFSET};
    }
}
