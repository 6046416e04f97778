package io.facestream.ops.faces;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.ops.FacestreamCli;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code facestream detect} and {@code compare} end to end: real photos, zoo models, stdout parsed. */
class FaceCommandsTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
            int exit = FacestreamCli.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static Path portrait(SamplePhotos.Portrait p) {
        return SamplePhotos.fetch().portrait(p);
    }

    @Test
    void detectPrintsStableJsonAndDrawsTheFaces() throws Exception {
        Path annotated = tmp.resolve("annotated.png");
        Run r = run(
                "detect",
                SamplePhotos.fetch().group("sample1.jpg").toString(),
                "--json",
                "--out",
                annotated.toString());
        assertEquals(0, r.exit(), r.err());
        JsonNode report = Json.mapper().readTree(r.out());
        assertEquals(1920, report.get("width").asInt());
        assertTrue(report.get("detector").asText().startsWith("mtcnn@"));
        assertTrue(report.get("faces").size() >= 3, r.out());
        JsonNode face = report.get("faces").get(0);
        assertEquals(4, face.get("box").size());
        assertEquals(5, face.get("landmarks").size());
        assertEquals("measured", face.get("landmark_source").asText());
        assertTrue(ImageIO.read(annotated.toFile()).getWidth() == 1920);
    }

    @Test
    void imageWithoutAFaceExitsZeroWithAMessage() throws Exception {
        Path blank = tmp.resolve("blank.png");
        ImageIO.write(new BufferedImage(320, 240, BufferedImage.TYPE_BYTE_GRAY), "png", blank.toFile());
        Run text = run("detect", blank.toString());
        assertEquals(0, text.exit(), text.err());
        assertTrue(text.out().contains("no face found"), text.out());
        Run blaze = run("detect", blank.toString(), "--detector", "blazeface", "--json");
        assertEquals(0, blaze.exit(), blaze.err());
        assertEquals(0, Json.mapper().readTree(blaze.out()).get("faces").size());
    }

    @Test
    void badImagesAreOneClearLineAndExitOne() throws Exception {
        Path text = Files.writeString(tmp.resolve("notes.jpg"), "not an image");
        Run r = run("detect", text.toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("notes.jpg") && r.err().contains("not a JPEG, PNG, BMP or WebP"), r.err());
        Path empty = Files.write(tmp.resolve("empty.png"), new byte[0]);
        Run e = run("detect", empty.toString());
        assertEquals(1, e.exit());
        assertTrue(e.err().contains("empty input"), e.err());
    }

    @Test
    void compareGivesTheSimilarityMatrixAndNorms() throws Exception {
        Path blank = tmp.resolve("blank.png");
        ImageIO.write(new BufferedImage(200, 200, BufferedImage.TYPE_3BYTE_BGR), "png", blank.toFile());
        Run r = run(
                "compare",
                portrait(SamplePhotos.Portrait.SAME_A).toString(),
                portrait(SamplePhotos.Portrait.SAME_B).toString(),
                portrait(SamplePhotos.Portrait.OTHER).toString(),
                blank.toString(),
                "--json");
        assertEquals(0, r.exit(), r.err());
        JsonNode report = Json.mapper().readTree(r.out());
        assertTrue(report.get("embedder").asText().startsWith("mobilefacenet@"));
        JsonNode sim = report.get("similarity");
        assertEquals(1.0, sim.get(0).get(0).asDouble(), 1e-3);
        double same = sim.get(0).get(1).asDouble();
        assertTrue(
                same > sim.get(0).get(2).asDouble() + 0.3
                        && same > sim.get(1).get(2).asDouble() + 0.3,
                sim.toString());
        assertTrue(sim.get(3).get(0).isNull(), "no face in the blank image → null cells");
        assertTrue(report.get("images").get(0).get("norm").asDouble() > 1);
        assertTrue(report.get("images").get(3).get("face").isNull(), "explicit null face");
        assertTrue(report.get("images").get(3).get("norm").isNull());
        assertEquals(0, report.get("images").get(3).get("faces_found").asInt());
    }
}
