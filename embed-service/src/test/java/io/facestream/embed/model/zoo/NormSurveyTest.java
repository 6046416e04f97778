package io.facestream.embed.model.zoo;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check of mobilefacenet's norm statistics in the manifest on real faces: the faces of the sample photographs
 * ({@link SamplePhotos}: six group photographs of a pinned npm package), found with BlazeFace (back model over square
 * tiles), cropped square without margin and resized to 112×112 as the expo pipeline feeds its embedder (docs/models.md),
 * embedded, and their raw feature norms summarised. The manifest's estimate (50.8 ± 6.8) was measured the same way on
 * 38 faces of 8 other photographs that the project cannot ship; on these 22 faces the survey gives 46.4 ± 5.5. The
 * estimate must hold on this independent set: its mean within one survey std, its std within half a survey std, and
 * its threshold (mean − 2 std) keeping at least nine faces in ten of these well-lit photographs. The output is also
 * proof that the raw feature is not unit length.
 */
@Integration
class NormSurveyTest {
    private static final int BLAZE = 256;

    record Box(double x1, double y1, double x2, double y2, double score) {
        double iou(Box o) {
            double w = Math.max(0, Math.min(x2, o.x2) - Math.max(x1, o.x1));
            double h = Math.max(0, Math.min(y2, o.y2) - Math.max(y1, o.y1));
            double inter = w * h;
            return inter / ((x2 - x1) * (y2 - y1) + (o.x2 - o.x1) * (o.y2 - o.y1) - inter);
        }
    }

    @Test
    void manifestNormStatisticsMatchRealFaces(@TempDir Path tmp) throws Exception {
        NpmCache cache = NpmCache.defaultCache();
        assumeTrue(
                NpmCache.npmAvailable() || Files.isRegularFile(cache.dir().resolve(ZooCatalog.EXPO.tarballName())),
                "npm unavailable and packages not cached; skipped");
        ModelStore store = new ModelStore(tmp);
        ModelStore.InstalledModel blaze = ModelZoo.ensure(store, "blazeface-back");
        ModelStore.InstalledModel mfn = ModelZoo.ensure(store, "mobilefacenet");
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        List<Double> norms = new ArrayList<>();
        try (OrtSession detector = env.createSession(blaze.path("main").toString(), new OrtSession.SessionOptions());
                OrtSession embedder = env.createSession(mfn.path("main").toString(), new OrtSession.SessionOptions())) {
            for (Path photo : SamplePhotos.fetch(cache).groups()) {
                BufferedImage img = ImageIO.read(photo.toFile());
                for (Box b : detect(env, detector, img)) {
                    double side = Math.max(b.x2 - b.x1, b.y2 - b.y1);
                    double cx = (b.x1 + b.x2) / 2, cy = (b.y1 + b.y2) / 2;
                    int s = (int) Math.round(Math.min(side, Math.min(img.getWidth(), img.getHeight())));
                    int x = (int) Math.round(Math.max(0, Math.min(img.getWidth() - s, cx - s / 2.0)));
                    int y = (int) Math.round(Math.max(0, Math.min(img.getHeight() - s, cy - s / 2.0)));
                    float[] input = pixels(resize(img.getSubimage(x, y, s, s), 112), 127.5f, 128f);
                    try (OnnxTensor t =
                                    OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, 112, 112, 3});
                            OrtSession.Result r = embedder.run(Map.of("input", t))) {
                        float[] e = ((float[][]) r.get(0).getValue())[0];
                        double n = 0;
                        for (float v : e) {
                            n += v * v;
                        }
                        norms.add(Math.sqrt(n));
                    }
                }
            }
        }
        double mean = norms.stream().mapToDouble(d -> d).average().orElse(Double.NaN);
        double std = Math.sqrt(
                norms.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / Math.max(1, norms.size() - 1));
        double[] sorted = norms.stream().mapToDouble(d -> d).sorted().toArray();
        System.out.printf(
                "mobilefacenet raw norms over %d faces: mean %.3f std %.3f min %.3f p10 %.3f median %.3f max %.3f%n",
                sorted.length,
                mean,
                std,
                sorted[0],
                sorted[sorted.length / 10],
                sorted[sorted.length / 2],
                sorted[sorted.length - 1]);
        assertTrue(sorted.length >= 10, "found only " + sorted.length + " faces in the photos");
        ModelManifest.Embedding m = mfn.manifest().embedding();
        assertTrue(Math.abs(mean - 1) > 3 * std, "the raw feature looks unit length; the manifest says it is not");
        assertTrue(
                Math.abs(m.normMean() - mean) <= std && Math.abs(m.normStd() - std) <= 0.5 * std,
                "manifest norm statistics " + m.normMean() + " ± " + m.normStd() + " disagree with the survey " + mean
                        + " ± " + std);
        long rejected = norms.stream().filter(n -> n < m.qualityThreshold()).count();
        assertTrue(
                rejected <= norms.size() / 10,
                "the manifest threshold " + m.qualityThreshold() + " rejects " + rejected + " of " + norms.size()
                        + " real faces");
    }

    /** BlazeFace over square tiles (half-overlapping), merged by plain NMS: good enough to find crops to measure. */
    private static List<Box> detect(OrtEnvironment env, OrtSession session, BufferedImage img) throws Exception {
        int side = Math.min(img.getWidth(), img.getHeight());
        List<Box> all = new ArrayList<>();
        for (int ty : starts(img.getHeight(), side)) {
            for (int tx : starts(img.getWidth(), side)) {
                float[] input = pixels(resize(img.getSubimage(tx, ty, side, side), BLAZE), 127.5f, 127.5f);
                try (OnnxTensor t =
                                OnnxTensor.createTensor(env, FloatBuffer.wrap(input), new long[] {1, BLAZE, BLAZE, 3});
                        OrtSession.Result r = session.run(Map.of("input:0", t))) {
                    float[][][] s1 =
                            (float[][][]) r.get("Identity:0").orElseThrow().getValue();
                    float[][][] s2 =
                            (float[][][]) r.get("Identity_1:0").orElseThrow().getValue();
                    float[][][] b1 =
                            (float[][][]) r.get("Identity_2:0").orElseThrow().getValue();
                    float[][][] b2 =
                            (float[][][]) r.get("Identity_3:0").orElseThrow().getValue();
                    decode(s1[0], b1[0], 16, 2, tx, ty, side, all);
                    decode(s2[0], b2[0], 8, 6, tx, ty, side, all);
                }
            }
        }
        all.sort(Comparator.comparingDouble(Box::score).reversed());
        List<Box> kept = new ArrayList<>();
        for (Box b : all) {
            if (kept.stream().noneMatch(k -> k.iou(b) > 0.3)) {
                kept.add(b);
            }
        }
        return kept;
    }

    private static void decode(
            float[][] scores, float[][] boxes, int cells, int anchors, int tx, int ty, int side, List<Box> out) {
        for (int i = 0; i < scores.length; i++) {
            double score = 1 / (1 + Math.exp(-scores[i][0]));
            if (score < 0.75) {
                continue;
            }
            int cell = i / anchors;
            double ax = (cell % cells + 0.5) / cells, ay = (cell / cells + 0.5) / cells;
            double cx = ax + boxes[i][0] / BLAZE, cy = ay + boxes[i][1] / BLAZE;
            double w = boxes[i][2] / BLAZE, h = boxes[i][3] / BLAZE;
            out.add(new Box(
                    tx + (cx - w / 2) * side,
                    ty + (cy - h / 2) * side,
                    tx + (cx + w / 2) * side,
                    ty + (cy + h / 2) * side,
                    score));
        }
    }

    private static int[] starts(int length, int side) {
        List<Integer> s = new ArrayList<>();
        for (int p = 0; p + side <= length; p += side / 2) {
            s.add(p);
        }
        if (s.get(s.size() - 1) != length - side) {
            s.add(length - side);
        }
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static BufferedImage resize(BufferedImage src, int size) {
        BufferedImage out = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, size, size, null);
        g.dispose();
        return out;
    }

    /** NHWC RGB, (v − mean) / std. */
    private static float[] pixels(BufferedImage img, float mean, float std) {
        int n = img.getWidth() * img.getHeight();
        int[] rgb = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        float[] out = new float[n * 3];
        for (int i = 0; i < n; i++) {
            out[3 * i] = (((rgb[i] >> 16) & 0xff) - mean) / std;
            out[3 * i + 1] = (((rgb[i] >> 8) & 0xff) - mean) / std;
            out[3 * i + 2] = ((rgb[i] & 0xff) - mean) / std;
        }
        return out;
    }
}
