package io.facestream.ops.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.json.Json;
import io.facestream.eval.testing.TinyIjbs;
import io.facestream.ops.FacestreamCli;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code facestream eval ijbs --features} end to end on the hand-computed protocol of {@link TinyIjbs}. */
class IjbsEvalCommandTest {
    @TempDir
    Path dir;

    @Test
    void scoresAFeaturesFolderAndWritesJsonAndHtml() throws IOException {
        Path protocol = TinyIjbs.writeProtocol(dir.resolve("protocol"));
        Path features = TinyIjbs.writeFeatures(dir.resolve("features"));
        Path json = dir.resolve("out/ijbs.json");
        Path html = dir.resolve("out/ijbs.html");

        String out = captureOut(() -> assertEquals(
                0,
                FacestreamCli.run(
                        "eval",
                        "ijbs",
                        "--protocol",
                        protocol.toString(),
                        "--features",
                        features.toString(),
                        "--json",
                        json.toString(),
                        "--html",
                        html.toString())));

        assertEquals(
                Json.mapper().readTree(TinyIjbs.EXPECTED_JSON), Json.mapper().readTree(json.toFile()));
        assertTrue(out.contains("| Sur-to-Single | 50.00  | 100.00 | 100.00  | 50.00"), out);
        assertTrue(out.contains("50.00 / 100.00 / 50.00"), out);
        assertTrue(out.contains("100.00 / 100.00 / 50.00"), out);
        assertTrue(Files.readString(html).contains("<svg"));
    }

    @Test
    void aBadProtocolIsOneClearLineAndExitCodeOne() throws IOException {
        Path protocol = TinyIjbs.writeProtocol(dir.resolve("protocol"));
        Files.delete(protocol.resolve("cs6_surveillance_to_surveillance_probe.csv"));
        Path features = TinyIjbs.writeFeatures(dir.resolve("features"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            assertEquals(
                    1,
                    FacestreamCli.run(
                            "eval", "ijbs", "--protocol", protocol.toString(), "--features", features.toString()));
        } finally {
            System.setErr(old);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertTrue(
                text.contains("facestream ijbs: " + protocol.resolve("cs6_surveillance_to_surveillance_probe.csv")
                        + ": missing protocol file"),
                text);
    }

    @Test
    void tinyFaceFromAFeaturesFolder() throws IOException {
        // Probe 1_p matches its mate exactly; probe 2_p is closer to the distractor: rank-1 = 1/2, rank-5 = 1.
        java.util.Map<String, float[]> rows = new java.util.LinkedHashMap<>();
        rows.put("Probe/1_p.jpg", new float[] {1, 0});
        rows.put("Probe/2_p.jpg", new float[] {0, 1});
        rows.put("Gallery_Match/1_a.jpg", new float[] {1, 0});
        rows.put("Gallery_Match/2_a.jpg", new float[] {1, 1});
        rows.put("Gallery_Distractor/x.jpg", new float[] {0, 1});
        Path features = TinyIjbs.writeFeatures(dir.resolve("tinyface"), 2, rows);
        Path json = dir.resolve("tinyface.json");
        captureOut(() -> assertEquals(
                0,
                FacestreamCli.run("eval", "tinyface", "--features", features.toString(), "--json", json.toString())));
        assertEquals(
                Json.mapper().readTree("{\"rank1\":0.5,\"rank5\":1.0,\"rank20\":1.0}"),
                Json.mapper().readTree(json.toFile()));
    }

    private static String captureOut(Runnable body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
