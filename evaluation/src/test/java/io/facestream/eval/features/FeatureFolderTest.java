package io.facestream.eval.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.testing.TinyIjbs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureFolderTest {
    @TempDir
    Path dir;

    @Test
    void readsRowsInPathOrder() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("prefix/7/videos_12_000031.jpg", new float[] {1.5f, -2, 0});
        rows.put("7/img_3_b.jpg", new float[] {0, 0.25f, 9});
        FeatureFolderSource source = FeatureFolderSource.open(TinyIjbs.writeFeatures(dir, 3, rows));
        List<Face> faces = new ArrayList<>();
        source.forEach(faces::add);

        assertEquals(3, source.dim());
        assertEquals(2, source.faces());
        assertEquals(new FacePath.VideoFrame(7, "12", "000031"), faces.get(0).path());
        assertEquals(new FacePath.Still(7, "3_b"), faces.get(1).path());
        assertEquals("7_videos_12", faces.get(0).path().templateKey());
        assertEquals("7_img_3_b", faces.get(1).path().templateKey());
        assertArrayEquals(new float[] {1.5f, -2, 0}, faces.get(0).feature());
        assertArrayEquals(new float[] {0, 0.25f, 9}, faces.get(1).feature());
        assertEquals(Math.sqrt(0.0625 + 81), faces.get(1).norm(), 1e-9);
    }

    @Test
    void sizeMismatchIsExplained() throws IOException {
        TinyIjbs.writeFeatures(dir, 2, Map.of("1/img_1.jpg", new float[] {1, 2}));
        Files.writeString(dir.resolve("meta.json"), "{\"dim\": 4}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureFolder.open(dir));
        assertTrue(
                e.getMessage().endsWith("features.f32 has 8 bytes, expected 16 (1 paths × dim 4 × 4 bytes)"),
                e.getMessage());
    }

    @Test
    void badMetaAndMissingFilesAreNamed() throws IOException {
        TinyIjbs.writeFeatures(dir, 2, Map.of("1/img_1.jpg", new float[] {1, 2}));
        Files.writeString(dir.resolve("meta.json"), "{\"dimension\": 2}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureFolder.open(dir));
        assertTrue(e.getMessage().contains("must be {\"dim\": D} with a positive integer D"), e.getMessage());

        Files.writeString(dir.resolve("meta.json"), "{\"dim\": 2");
        e = assertThrows(IllegalArgumentException.class, () -> FeatureFolder.open(dir));
        assertTrue(e.getMessage().contains("meta.json is not valid JSON"), e.getMessage());

        Files.delete(dir.resolve("features.f32"));
        e = assertThrows(IllegalArgumentException.class, () -> FeatureFolder.open(dir));
        assertTrue(e.getMessage().contains("has no features.f32"), e.getMessage());
    }

    @Test
    void badPathsAreNamedWithTheirLine() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("1/img_1.jpg", new float[] {1});
        rows.put("1/face_2.jpg", new float[] {1});
        TinyIjbs.writeFeatures(dir, 1, rows);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FeatureFolderSource.open(dir));
        assertTrue(e.getMessage().contains("paths.txt:2: '1/face_2.jpg': file name is neither"), e.getMessage());

        rows.remove("1/face_2.jpg");
        rows.put("abc/img_1.jpg", new float[] {1});
        TinyIjbs.writeFeatures(dir, 1, rows);
        e = assertThrows(IllegalArgumentException.class, () -> FeatureFolderSource.open(dir));
        assertTrue(
                e.getMessage().contains("paths.txt:2: 'abc/img_1.jpg': subject folder 'abc' is not an integer"),
                e.getMessage());

        rows.remove("abc/img_1.jpg");
        rows.put("x/1/img_1.png", new float[] {1});
        TinyIjbs.writeFeatures(dir, 1, rows);
        e = assertThrows(IllegalArgumentException.class, () -> FeatureFolderSource.open(dir));
        assertTrue(
                e.getMessage().contains("paths.txt:2: 'x/1/img_1.png' names the same face as line 1"), e.getMessage());

        Files.writeString(dir.resolve("paths.txt"), "1/img_1.jpg\n\n");
        e = assertThrows(IllegalArgumentException.class, () -> FeatureFolder.open(dir));
        assertTrue(e.getMessage().contains("paths.txt:2: blank line"), e.getMessage());
    }

    @Test
    void nonFiniteValuesAreRefusedWithTheirRow() throws IOException {
        Map<String, float[]> rows = new LinkedHashMap<>();
        rows.put("1/img_1.jpg", new float[] {1, 2});
        rows.put("1/img_2.jpg", new float[] {Float.NaN, 2});
        FeatureFolderSource source = FeatureFolderSource.open(TinyIjbs.writeFeatures(dir, 2, rows));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.forEach(f -> {}));
        assertTrue(e.getMessage().contains("row 2 (1/img_2.jpg) has a non-finite value NaN"), e.getMessage());
    }
}
