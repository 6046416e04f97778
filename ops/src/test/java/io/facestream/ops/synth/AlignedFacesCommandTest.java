package io.facestream.ops.synth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.eval.footage.GroundTruth;
import io.facestream.ops.FacestreamCli;
import io.facestream.synth.TinySynth;
import io.facestream.trainer.data.ImageFolderDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synth faces} on a tiny synthetic set: one 112×112 JPEG per labelled face under its subject, named as the
 * reference names aligned faces, readable by the trainer's image-folder data set; --min-side leaves small faces out;
 * a non-empty output folder is refused.
 */
class AlignedFacesCommandTest {

    @Test
    void exportsEveryLabelledFaceAsATrainingImageFolder(@TempDir Path dir) throws Exception {
        Path data = TinySynth.generate(dir.resolve("synth"), 3, 2, 12);
        GroundTruth truth = GroundTruth.read(data);
        Path out = dir.resolve("faces");
        Path json = dir.resolve("faces.json");
        assertEquals(
                0,
                FacestreamCli.run(
                        "synth",
                        "faces",
                        "--data",
                        data.toString(),
                        "--out",
                        out.toString(),
                        "--json",
                        json.toString()));

        List<Path> files;
        try (Stream<Path> s = Files.walk(out)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertEquals(truth.faces(), files.size(), "one file per labelled face");
        assertTrue(files.stream().anyMatch(f -> f.getFileName().toString().startsWith("img_")), "stills exported");
        assertTrue(
                files.stream().anyMatch(f -> f.getFileName().toString().startsWith("videos_")), "video faces exported");
        for (Path f : List.of(files.get(0), files.get(files.size() - 1))) {
            Mat m = opencv_imgcodecs.imread(f.toString());
            assertEquals(112, m.cols(), f.toString());
            assertEquals(112, m.rows(), f.toString());
            m.close();
        }
        try (ImageFolderDataset ds = ImageFolderDataset.open(out)) {
            assertEquals(3, ds.classes());
            assertEquals(files.size(), ds.size());
        }
        assertTrue(Files.readString(json).contains("identities"), Files.readString(json));

        // the small faces of surveillance footage can be left out
        Path large = dir.resolve("large");
        assertEquals(
                0,
                FacestreamCli.run(
                        "synth", "faces", "--data", data.toString(), "--out", large.toString(), "--min-side", "60"));
        long kept;
        try (Stream<Path> s = Files.walk(large)) {
            kept = s.filter(Files::isRegularFile).count();
        }
        assertTrue(kept < files.size() && kept > 0, kept + " of " + files.size());

        assertNotEquals(
                0,
                FacestreamCli.run("synth", "faces", "--data", data.toString(), "--out", out.toString()),
                "a non-empty --out is refused");
    }
}
