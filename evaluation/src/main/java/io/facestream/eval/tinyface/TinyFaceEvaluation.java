package io.facestream.eval.tinyface;

import io.facestream.core.vector.Vectors;
import io.facestream.eval.Progress;
import io.facestream.eval.features.FeatureFolder;
import io.facestream.eval.ijbs.metrics.Ranking;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;

/**
 * TinyFace closed-set identification (adaface.md §5d): unit features, cosine scores, gallery = Gallery_Match ∪
 * Gallery_Distractor in paths.txt order, and rank-k = fraction of probes with any same-label gallery image among the
 * first k. Ties follow the IJB-S rule of {@link Ranking}. Every probe must have a mate, as in the official set.
 */
public final class TinyFaceEvaluation {
    private TinyFaceEvaluation() {}

    public static TinyFaceReport evaluate(FeatureFolder folder, Progress progress) {
        List<TinyFaceImage> images = parse(folder);
        int dim = folder.dim();
        int probes = (int) images.stream()
                .filter(i -> i.part() == TinyFaceImage.Part.PROBE)
                .count();
        int gallerySize = images.size() - probes;
        if (probes == 0 || gallerySize == 0) {
            throw new IllegalArgumentException(folder.folder() + " has " + probes + " probe and " + gallerySize
                    + " gallery images; TinyFace needs both");
        }
        float[] probeVectors = new float[probes * dim];
        float[] galleryVectors = new float[gallerySize * dim];
        int[] probeLabels = new int[probes];
        int[] galleryLabels = new int[gallerySize];
        int[] next = new int[2];
        long total = folder.size();
        folder.forEachRow((index, path, row) -> {
            TinyFaceImage image = images.get(index);
            boolean probe = image.part() == TinyFaceImage.Part.PROBE;
            int slot = next[probe ? 0 : 1]++;
            Vectors.normalizeInPlace(row); // a zero feature stays zero (as sklearn's normalize does)
            System.arraycopy(row, 0, probe ? probeVectors : galleryVectors, slot * dim, dim);
            (probe ? probeLabels : galleryLabels)[slot] = image.label();
            progress.update("features", index + 1L, total);
        });
        Map<Integer, List<Integer>> mates = new HashMap<>();
        for (int c = 0; c < gallerySize; c++) {
            if (galleryLabels[c] != TinyFaceImage.DISTRACTOR_LABEL) {
                mates.computeIfAbsent(galleryLabels[c], k -> new ArrayList<>()).add(c);
            }
        }
        for (TinyFaceImage image : images) {
            if (image.part() == TinyFaceImage.Part.PROBE && !mates.containsKey(image.label())) {
                throw new IllegalArgumentException(
                        "probe '" + image.key() + "' (identity " + image.label() + ") has no image in Gallery_Match");
            }
        }
        int[] ranks = new int[probes];
        AtomicLong done = new AtomicLong();
        IntStream.range(0, probes).parallel().forEach(p -> {
            double[] row = new double[gallerySize];
            for (int c = 0; c < gallerySize; c++) {
                row[c] = Vectors.dot(probeVectors, p * dim, galleryVectors, c * dim, dim);
            }
            int best = -1;
            for (int c : mates.get(probeLabels[p])) {
                if (best < 0 || Ranking.before(row, c, best)) {
                    best = c;
                }
            }
            ranks[p] = Ranking.rank(row, 0, gallerySize, best);
            long d = done.incrementAndGet();
            synchronized (progress) {
                progress.update("probes", d, probes);
            }
        });
        List<Double> cmc = new ArrayList<>();
        for (int k = 1; k <= TinyFaceReport.MAX_RANK; k++) {
            int kk = k;
            cmc.add((double) IntStream.of(ranks).filter(r -> r <= kk).count() / probes);
        }
        int distractors = (int) images.stream()
                .filter(i -> i.part() == TinyFaceImage.Part.GALLERY_DISTRACTOR)
                .count();
        return new TinyFaceReport(cmc, probes, gallerySize - distractors, distractors);
    }

    private static List<TinyFaceImage> parse(FeatureFolder folder) {
        List<TinyFaceImage> images = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < folder.size(); i++) {
            try {
                TinyFaceImage image = TinyFaceImage.parse(folder.paths().get(i));
                if (!keys.add(image.key())) {
                    throw new IllegalArgumentException("identity key '" + image.key() + "' is not unique");
                }
                images.add(image);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        folder.folder().resolve(FeatureFolder.PATHS) + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return images;
    }
}
