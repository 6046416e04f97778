package io.facestream.embed.pipeline;

import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.OnnxSessions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * detect → align → embed on one BGR image. A thin layer: which detector and embedder run is the router's choice from
 * the manifests; this class only wires them and batches all faces of an image into one embedding call.
 */
public final class FacePipeline implements AutoCloseable {
    private final FaceDetector detector;
    private final FaceAligner aligner;
    private final FaceEmbedder embedder;

    public FacePipeline(FaceDetector detector, FaceAligner aligner, FaceEmbedder embedder) {
        if (aligner.size() != embedder.inputWidth() || aligner.size() != embedder.inputHeight()) {
            throw new IllegalArgumentException("aligner makes " + aligner.size() + "x" + aligner.size()
                    + " crops but embedder " + embedder.manifest().id() + " takes " + embedder.inputWidth() + "x"
                    + embedder.inputHeight());
        }
        this.detector = detector;
        this.aligner = aligner;
        this.embedder = embedder;
    }

    /**
     * Opens the configured detector and embedder through {@code resolve} (e.g. {@code spec -> ModelZoo.resolve(store, spec)}).
     */
    public static FacePipeline open(FaceSettings settings, Function<String, ModelStore.InstalledModel> resolve) {
        OnnxSessions sessions = new OnnxSessions(settings.device(), settings.intraOpThreads());
        ModelRouter router = new ModelRouter(sessions, settings);
        FaceDetector detector = router.detector(resolve.apply(settings.detector()));
        try {
            return new FacePipeline(detector, new FaceAligner(), router.embedder(resolve.apply(settings.embedder())));
        } catch (RuntimeException e) {
            detector.close();
            throw e;
        }
    }

    public FaceDetector detector() {
        return detector;
    }

    public FaceEmbedder embedder() {
        return embedder;
    }

    public FaceAligner aligner() {
        return aligner;
    }

    /** Every face in the image, by descending detector score. */
    public List<Face> process(Mat bgr) {
        return embed(bgr, detector.detect(bgr));
    }

    /** The largest face (by box area), if any. AdaFace's README takes the top-scoring one; for "who is this photo of" the largest is the sturdier choice. */
    public Optional<Face> largest(Mat bgr) {
        Optional<DetectedFace> best = detector.detect(bgr).stream()
                .max(Comparator.comparingDouble(f -> f.box().area()));
        return best.map(f -> embed(bgr, List.of(f)).get(0));
    }

    /** Aligns and embeds faces found elsewhere (e.g. given with the frame). */
    public List<Face> embed(Mat bgr, List<DetectedFace> faces) {
        List<Mat> crops = new ArrayList<>(faces.size());
        try {
            for (DetectedFace f : faces) {
                crops.add(aligner.align(bgr, f));
            }
            List<Embedding> embeddings = embedder.embed(crops);
            List<Face> out = new ArrayList<>(faces.size());
            for (int i = 0; i < faces.size(); i++) {
                out.add(new Face(faces.get(i), crops.get(i), embeddings.get(i)));
            }
            return out;
        } catch (RuntimeException e) {
            crops.forEach(Mat::close);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            detector.close();
        } finally {
            embedder.close();
        }
    }
}
