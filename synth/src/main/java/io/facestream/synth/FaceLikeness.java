package io.facestream.synth;

import io.facestream.core.vector.Vectors;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.Point;
import io.facestream.embed.embedding.FaceEmbedder;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * How alike two canonical faces look to a face model: each face is aligned by its five landmarks the way the
 * embed service aligns a detected face, embedded, and compared by cosine. The generator uses it to keep synthetic
 * people apart: donors that are the same person are grouped ({@link DonorGroups}), and a blend that looks like an
 * earlier identity is drawn again ({@link BlendedIdentities}). Without it, two "different" people of a data set can
 * be one person to the model, and every open-set false alarm on them would be the data's fault, not the system's.
 */
public final class FaceLikeness {
    private final FaceEmbedder embedder;
    private final FaceAligner aligner;

    public FaceLikeness(FaceEmbedder embedder) {
        this.embedder = embedder;
        this.aligner = new FaceAligner();
    }

    /** The unit embedding of a canonical face whose landmarks are {@code landmarks} (interleaved x, y). */
    public float[] embed(Mat face, double[] landmarks) {
        List<Point> points = new ArrayList<>(5);
        for (int i = 0; i < 10; i += 2) {
            points.add(new Point((float) landmarks[i], (float) landmarks[i + 1]));
        }
        try (Mat aligned = aligner.align(face, points)) {
            return embedder.embed(aligned).unit();
        }
    }

    /** The unit embedding of a donor face (its eyes are on the canonical template). */
    public float[] embed(DonorFace donor) {
        return embed(donor.face(), Canonical.landmarks());
    }

    public static double cosine(float[] a, float[] b) {
        return Vectors.dot(a, b);
    }

    public String describe() {
        return embedder.manifest().id();
    }
}
