package io.facestream.eval.tinyface;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.eval.Progress;
import io.facestream.eval.features.FeatureFolder;
import io.facestream.eval.testing.TinyIjbs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TinyFaceEvaluationTest {
    @TempDir
    Path dir;

    /**
     * Gallery columns in paths.txt order: c0 = 1_a (label 1) e1, c1 = 1_b (label 1) 5·e2 (unit e2), c2 = 2_a e3,
     * c3 = distractor (0.6, 0.8, 0), c4 = distractor zero vector (stays zero).
     * <pre>
     * probe 1_p (0.8, 0.6, 0): scores [.8, .6, 0, .96, 0] → best mate c0 (.8) behind c3 (.96): rank 2
     * probe 2_p (0, 0, 2)    : scores [0, 0, 1, 0, 0]      → c2 rank 1
     * probe 1_q (0, 0, 0)    : zero feature, all scores 0 → best mate by tie rule = c1 (rightmost of c0, c1);
     *                          ahead of it: c2, c3, c4 (equal and further right) → rank 4
     * </pre>
     * Rank-1 = 1/3, Rank-5 = Rank-20 = 1; CMC at 2, 3 = 2/3, at 4 = 1.
     */
    @Test
    void cmcOnAHandComputedSet() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("tinyface/Probe/1_p.jpg", new float[] {0.8f, 0.6f, 0});
        rows.put("tinyface/Gallery_Match/1_a.jpg", new float[] {1, 0, 0});
        rows.put("tinyface/Gallery_Match/1_b.jpg", new float[] {0, 5, 0});
        rows.put("tinyface/Probe/2_p.jpg", new float[] {0, 0, 2});
        rows.put("tinyface/Gallery_Match/2_a.jpg", new float[] {0, 0, 1});
        rows.put("tinyface/Gallery_Distractor/x1.jpg", new float[] {0.6f, 0.8f, 0});
        rows.put("tinyface/Gallery_Distractor/x2.jpg", new float[] {0, 0, 0});
        rows.put("tinyface/Probe/1_q.jpg", new float[] {0, 0, 0});
        TinyFaceReport report = TinyFaceEvaluation.evaluate(
                FeatureFolder.open(TinyIjbs.writeFeatures(dir, 3, rows)), Progress.silent());

        assertEquals(3, report.probes());
        assertEquals(3, report.galleryMatch());
        assertEquals(2, report.distractors());
        assertEquals(1 / 3.0, report.rank(1), 1e-12);
        assertEquals(2 / 3.0, report.rank(2), 1e-12);
        assertEquals(2 / 3.0, report.rank(3), 1e-12);
        assertEquals(1.0, report.rank(4), 1e-12);
        assertEquals(new TinyFaceScores(1 / 3.0, 1, 1), report.scores());
    }

    @Test
    void badNamesAndMissingMatesAreRefused() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("Probe/3_p.jpg", new float[] {1});
        rows.put("Gallery_Match/1_a.jpg", new float[] {1});
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TinyFaceEvaluation.evaluate(
                        FeatureFolder.open(TinyIjbs.writeFeatures(dir, 1, rows)), Progress.silent()));
        assertTrue(e.getMessage().contains("probe '3_p' (identity 3) has no image in Gallery_Match"), e.getMessage());

        rows.put("Gallery/3_a.jpg", new float[] {1});
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TinyFaceEvaluation.evaluate(
                        FeatureFolder.open(TinyIjbs.writeFeatures(dir, 1, rows)), Progress.silent()));
        assertTrue(
                e.getMessage().contains("paths.txt:3: 'Gallery/3_a.jpg': folder 'Gallery' is none of"), e.getMessage());

        rows.remove("Gallery/3_a.jpg");
        rows.put("Gallery_Distractor/1_a.png", new float[] {1});
        e = assertThrows(
                IllegalArgumentException.class,
                () -> TinyFaceEvaluation.evaluate(
                        FeatureFolder.open(TinyIjbs.writeFeatures(dir, 1, rows)), Progress.silent()));
        assertTrue(e.getMessage().contains("paths.txt:3: identity key '1_a' is not unique"), e.getMessage());
    }
}
