package io.facestream.eval.footage;

import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FeatureSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Offline mode: decodes the footage, aligns every ground-truth face with its own 5 landmarks (112×112 similarity
 * warp, {@link FaceAligner}) and embeds the crops directly, in batches of the embedder's batch size. Each face keeps
 * its raw feature (no flip TTA, as the reference) and its ground-truth size for the norm plot.
 */
public final class OfflineFootageSource implements FeatureSource {
    private final Footage footage;
    private final FaceEmbedder embedder;
    private final FaceAligner aligner = new FaceAligner();
    private Footage.Counts counts;

    /** The embedder stays the caller's to close. */
    public OfflineFootageSource(Footage footage, FaceEmbedder embedder) {
        this.footage = footage;
        this.embedder = embedder;
    }

    @Override
    public int dim() {
        return embedder.manifest().embedding().size();
    }

    @Override
    public long faces() {
        return footage.truth().faces();
    }

    @Override
    public void forEach(Consumer<Face> sink) {
        Pending pending = new Pending(sink);
        try {
            counts = footage.forEachFrame((media, frame, bgr, faces) -> {
                for (GroundTruthFace f : faces) {
                    pending.add(f, aligner.align(bgr, f.landmarks()));
                }
            });
            pending.flush();
        } finally {
            pending.discard();
        }
    }

    /** What the last {@link #forEach} decoded; null before. */
    public Footage.Counts counts() {
        return counts;
    }

    @Override
    public String describe() {
        String missing = counts != null && counts.missingFaces() > 0
                ? ", " + counts.missingFaces() + " labelled faces past the end of their video"
                : "";
        return "footage " + footage.data() + " offline (" + embedder.manifest().id() + ", " + dim() + "-d" + missing
                + ")";
    }

    /** Crops waiting for a full batch: one inference call per batch, results handed on in order. */
    private final class Pending {
        private final Consumer<Face> sink;
        private final List<GroundTruthFace> faces = new ArrayList<>();
        private final List<Mat> crops = new ArrayList<>();

        Pending(Consumer<Face> sink) {
            this.sink = sink;
        }

        void add(GroundTruthFace face, Mat crop) {
            faces.add(face);
            crops.add(crop);
            if (crops.size() >= embedder.maxBatch()) {
                flush();
            }
        }

        void flush() {
            if (crops.isEmpty()) {
                return;
            }
            List<Embedding> embeddings = embedder.embed(crops);
            List<GroundTruthFace> done = List.copyOf(faces);
            discard();
            for (int i = 0; i < done.size(); i++) {
                GroundTruthFace f = done.get(i);
                sink.accept(new Face(f.path(), embeddings.get(i).raw(), f.side()));
            }
        }

        void discard() {
            crops.forEach(Mat::close);
            crops.clear();
            faces.clear();
        }
    }
}
