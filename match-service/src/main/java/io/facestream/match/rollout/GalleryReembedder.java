package io.facestream.match.rollout;

import io.facestream.core.vector.TemplateFusion;
import io.facestream.core.vector.Vectors;
import io.facestream.embed.align.AlignedCropFile;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.reembed.ModelCoverage;
import io.facestream.gallery.reembed.PendingMedium;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Fills a new model version into a gallery: every medium without a vector of the embedder's version gets one,
 * computed from the medium's stored aligned crops (several crops: the sum of their raw features, the norm-weighted
 * fusion the gallery's templates use). Writes go through the gallery topic, so every replica receives them. A
 * medium whose crops are missing or undecodable is reported, never skipped silently, and keeps the gallery
 * incomplete for that version.
 */
public final class GalleryReembedder {
    private final Gallery gallery;
    private final Consumer<String> log;

    public GalleryReembedder(Gallery gallery, Consumer<String> log) {
        this.gallery = gallery;
        this.log = log;
    }

    public ReembedReport reembed(String galleryName, FaceEmbedder embedder) {
        ModelVersion model =
                new ModelVersion(embedder.manifest().name(), embedder.manifest().version());
        List<PendingMedium> pending = gallery.reembed().pending(galleryName, model);
        int embedded = 0;
        List<String> failures = new ArrayList<>();
        long t0 = System.nanoTime();
        for (PendingMedium m : pending) {
            try {
                gallery.addEmbedding(m.key(), new Embedding(model, embed(m, embedder)));
                embedded++;
            } catch (RuntimeException e) {
                failures.add(m.key().text() + ": " + e.getMessage());
            }
            if ((embedded + failures.size()) % 100 == 0) {
                progress(galleryName, model, embedded + failures.size(), pending.size(), t0);
            }
        }
        ModelCoverage coverage = gallery.reembed().coverage(galleryName).stream()
                .filter(c -> c.model().equals(model))
                .findFirst()
                .orElse(null);
        ReembedReport report = new ReembedReport(galleryName, model, embedded, failures, coverage);
        log.accept(String.format(
                "re-embed %s into %s: %d media embedded, %d failed%s; coverage %s",
                galleryName,
                model,
                embedded,
                failures.size(),
                failures.isEmpty() ? "" : " (" + failures.get(0) + (failures.size() > 1 ? ", ..." : "") + ")",
                coverage == null
                        ? "none"
                        : coverage.embedded() + "/" + coverage.media()
                                + (coverage.complete() ? " complete" : " incomplete")));
        return report;
    }

    private static float[] embed(PendingMedium m, FaceEmbedder embedder) {
        if (m.crops().isEmpty()) {
            throw new IllegalStateException("no stored crops to re-embed");
        }
        List<Mat> crops = new ArrayList<>();
        try {
            for (Path p : m.crops()) {
                crops.add(AlignedCropFile.read(p, embedder.inputWidth(), embedder.inputHeight(), "stored crop"));
            }
            // several crops of one medium (a track's faces): the medium's raw feature is their fused sum
            return Vectors.toFloat(TemplateFusion.of(embedder.embed(crops).stream()
                            .map(io.facestream.embed.embedding.Embedding::raw)
                            .toList())
                    .sum());
        } finally {
            crops.forEach(Mat::close);
        }
    }

    private void progress(String galleryName, ModelVersion model, int done, int total, long t0) {
        double s = (System.nanoTime() - t0) / 1e9;
        double rate = done / Math.max(s, 1e-9);
        log.accept(String.format(
                "re-embed %s into %s: %d/%d media, %.1f media/s, ETA %.0f s",
                galleryName, model, done, total, rate, (total - done) / Math.max(rate, 1e-9)));
    }
}
