package io.facestream.eval.ijbs;

import io.facestream.core.vector.TemplateFusion;
import io.facestream.eval.Progress;
import io.facestream.eval.ijbs.metrics.Identification;
import io.facestream.eval.ijbs.metrics.IdentificationResult;
import io.facestream.eval.ijbs.metrics.ScoreRows;
import io.facestream.eval.ijbs.protocol.FaceSizes;
import io.facestream.eval.ijbs.protocol.Gallery;
import io.facestream.eval.ijbs.protocol.IjbsProtocol;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.Media;
import io.facestream.eval.ijbs.protocol.Template;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Scores an IJB-S protocol folder with faces from any {@link FeatureSource}, as adaface.md §5c defines it:
 * faces accumulate per (subject, media) key, templates fuse their media's faces with core's {@link TemplateFusion}
 * (the live path's fusion: sum of raw features, unit length; a template without a direction, e.g. with no face, is
 * the zero vector), scores are inner products, and each protocol gets closed-set ranks over G1 ∪ G2 and TPIR@FPIR per
 * gallery, averaged.
 */
public final class IjbsEvaluation {
    /** Enough points to show the norm/size trend without making the HTML heavy. */
    static final int NORM_SAMPLES = 3000;

    private final IjbsProtocolFolder protocol;

    public IjbsEvaluation(IjbsProtocolFolder protocol) {
        this.protocol = protocol;
    }

    public IjbsReport evaluate(FeatureSource source, Progress progress) {
        int dim = source.dim();
        Map<String, TemplateFusion> byMedia = new HashMap<>();
        allTemplates()
                .forEach(t -> t.media()
                        .forEach(m ->
                                byMedia.computeIfAbsent(FacePath.keyOf(t.subject(), m), k -> new TemplateFusion(dim))));

        NormReservoir norms = new NormReservoir(NORM_SAMPLES);
        NormSizeCorrelation.Pairs allNorms = new NormSizeCorrelation.Pairs();
        long[] read = new long[1];
        long[] unused = new long[1];
        long total = source.faces();
        FaceSizes sizes = protocol.faceSizes();
        source.forEach(face -> {
            TemplateFusion fusion = byMedia.get(face.path().templateKey());
            if (fusion == null) {
                unused[0]++;
            } else {
                fusion.add(face.feature());
            }
            if (face.path() instanceof FacePath.VideoFrame f) {
                double side = !Double.isNaN(face.sidePx())
                        ? face.sidePx()
                        : sizes.side(f.subject(), f.video(), f.frame()).orElse(Double.NaN);
                if (!Double.isNaN(side)) {
                    norms.offer(new NormSample(side, face.norm()));
                    allNorms.add(side, face.norm());
                }
            }
            read[0]++;
            progress.update("faces", read[0], total);
        });
        if (read[0] == 0) {
            throw new IllegalArgumentException(source.describe() + " delivered no faces");
        }
        if (read[0] == unused[0]) {
            throw new IllegalArgumentException("none of the " + read[0] + " faces of " + source.describe()
                    + " belongs to a template of protocol " + protocol.folder()
                    + " (subject folders and video/image ids must match cs6_metadata.csv)");
        }
        return new IjbsReport(
                source.describe(),
                score(IjbsProtocol.SUR_TO_SINGLE, byMedia, dim),
                score(IjbsProtocol.SUR_TO_BOOK, byMedia, dim),
                score(IjbsProtocol.SUR_TO_SUR, byMedia, dim),
                read[0],
                unused[0],
                norms.samples(),
                allNorms.correlation());
    }

    private Stream<Template> allTemplates() {
        return Stream.of(IjbsProtocol.values())
                .flatMap(p -> Stream.concat(
                        protocol.probes(p).stream(),
                        Stream.of(
                                        protocol.galleries(p).g1(),
                                        protocol.galleries(p).g2())
                                .flatMap(g -> g.templates().stream())));
    }

    private ProtocolOutcome score(IjbsProtocol which, Map<String, TemplateFusion> byMedia, int dim) {
        List<Template> probes = protocol.probes(which);
        Gallery g1 = protocol.galleries(which).g1();
        Gallery g2 = protocol.galleries(which).g2();
        List<Template> gallery = new ArrayList<>(g1.templates());
        gallery.addAll(g2.templates());

        Fused p = fuse(probes, byMedia, dim);
        Fused g = fuse(gallery, byMedia, dim);
        try {
            IdentificationResult result = Identification.evaluate(
                    ScoreRows.innerProducts(p.vectors(), g.vectors()),
                    p.labels(),
                    g.labels(),
                    g1.templates().size());
            return new ProtocolOutcome(which, result, p.empty(), g.empty());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(which.title() + " (" + protocol.folder() + "): " + e.getMessage(), e);
        }
    }

    private record Fused(float[][] vectors, int[] labels, int empty) {}

    private static Fused fuse(List<Template> templates, Map<String, TemplateFusion> byMedia, int dim) {
        float[][] vectors = new float[templates.size()][];
        int[] labels = new int[templates.size()];
        int empty = 0;
        for (int i = 0; i < vectors.length; i++) {
            Template t = templates.get(i);
            TemplateFusion fusion = new TemplateFusion(dim);
            for (Media m : t.media()) {
                fusion.add(byMedia.get(FacePath.keyOf(t.subject(), m)));
            }
            // the protocol's rule (adaface.md §5c): a template with no face is the zero vector, all its scores are 0;
            // so is one whose faces cancel out exactly, which the live path would refuse
            vectors[i] = fusion.direction().orElseGet(() -> new float[dim]);
            labels[i] = t.subject();
            if (fusion.isEmpty()) {
                empty++;
            }
        }
        return new Fused(vectors, labels, empty);
    }

    /** Uniform reservoir sample with a fixed seed: the same faces in the same order give the same plot. */
    private static final class NormReservoir {
        private final List<NormSample> kept = new ArrayList<>();
        private final int capacity;
        private final SplittableRandom random = new SplittableRandom(0x1B5);
        private long seen;

        NormReservoir(int capacity) {
            this.capacity = capacity;
        }

        void offer(NormSample sample) {
            seen++;
            if (kept.size() < capacity) {
                kept.add(sample);
            } else {
                long j = random.nextLong(seen);
                if (j < capacity) {
                    kept.set((int) j, sample);
                }
            }
        }

        List<NormSample> samples() {
            return kept;
        }
    }
}
