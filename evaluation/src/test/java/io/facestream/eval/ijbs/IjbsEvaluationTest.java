package io.facestream.eval.ijbs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.json.Json;
import io.facestream.eval.Progress;
import io.facestream.eval.features.FeatureFolderSource;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.eval.report.IjbsHtmlReport;
import io.facestream.eval.testing.TinyIjbs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The hand-computed protocol of {@link TinyIjbs}, scored from a real features folder. */
class IjbsEvaluationTest {
    @TempDir
    Path dir;

    @Test
    void scoresTheHandComputedProtocol() throws IOException {
        IjbsEvaluation evaluation =
                new IjbsEvaluation(IjbsProtocolReader.read(TinyIjbs.writeProtocol(dir.resolve("protocol"))));
        List<Long> progress = new ArrayList<>();
        IjbsReport report = evaluation.evaluate(
                FeatureFolderSource.open(TinyIjbs.writeFeatures(dir.resolve("features"))),
                (step, done, total) -> progress.add(done * 100 + total));

        assertEquals(
                Json.mapper().readTree(TinyIjbs.EXPECTED_JSON), Json.mapper().valueToTree(report.scores()));
        assertEquals(16, report.facesRead());
        assertEquals(1, report.facesUnused());
        assertEquals(16, progress.size());
        assertEquals(16 * 100 + 16, progress.getLast());
        // Probe p2 (subject 2 in video 10) has no face: one empty probe template in each protocol.
        report.protocols().forEach(o -> assertEquals(1, o.emptyProbeTemplates()));
        assertEquals(4, report.surToSingle().result().probes());
        assertEquals(2, report.surToSur().result().matedProbes());
        // Norm samples: all 10 video faces have a known size (9 in templates + the unused one of subject 2 in video 20
        // has no metadata row → unknown size), so 9.
        assertEquals(9, report.normSamples().size());
        // Frame 2 of subject 4 in video 20: box 90×80 → 90 px, feature (0, 0, 1.6, 1.2) → norm 2.
        assertTrue(
                report.normSamples().stream().anyMatch(s -> s.sidePx() == 90 && Math.abs(s.norm() - 2) < 1e-6),
                report.normSamples().toString());

        Path json = dir.resolve("out/ijbs.json");
        report.writeJson(json);
        String text = Files.readString(json);
        assertTrue(
                text.indexOf("sur_to_single") < text.indexOf("sur_to_book")
                        && text.indexOf("sur_to_book") < text.indexOf("sur_to_sur"),
                text);
        assertEquals(
                Json.mapper().readTree(TinyIjbs.EXPECTED_JSON), Json.mapper().readTree(text));

        String html = IjbsHtmlReport.render(report);
        assertEquals(7, html.split("<svg").length - 1, "a CMC and a TPIR chart per protocol, and the norm plot");
        assertTrue(html.contains("Raw feature norm vs face size (9 video faces)"));
        assertTrue(html.contains("over all 9 video faces of known size: ρ = 0.524"), html);
    }

    @Test
    void withoutFaceSizesTheNormPlotIsLeftOutWithANote() throws IOException {
        Path protocol = TinyIjbs.writeProtocol(dir.resolve("protocol"));
        List<String> lines = Files.readAllLines(protocol.resolve("cs6_metadata.csv"));
        Files.write(
                protocol.resolve("cs6_metadata.csv"),
                lines.stream().map(l -> l.split(",")[0] + "," + l.split(",")[1]).toList());
        IjbsReport report = new IjbsEvaluation(IjbsProtocolReader.read(protocol))
                .evaluate(FeatureFolderSource.open(TinyIjbs.writeFeatures(dir.resolve("features"))), Progress.silent());
        assertTrue(report.normSamples().isEmpty());
        assertEquals(0, report.normVsSize().samples());
        assertTrue(
                !Json.mapper().valueToTree(report.scores()).has("norm_vs_face_size"),
                "no sizes, no correlation in the JSON");
        String html = IjbsHtmlReport.render(report);
        assertEquals(6, html.split("<svg").length - 1);
        assertTrue(html.contains("Not shown: face sizes are unknown"));
    }

    @Test
    void featuresThatMatchNoTemplateAreAnError() throws IOException {
        IjbsEvaluation evaluation =
                new IjbsEvaluation(IjbsProtocolReader.read(TinyIjbs.writeProtocol(dir.resolve("protocol"))));
        Path features = TinyIjbs.writeFeatures(dir.resolve("features"), 2, Map.of("99/img_1.jpg", new float[] {1, 0}));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> evaluation.evaluate(FeatureFolderSource.open(features), Progress.silent()));
        assertTrue(e.getMessage().contains("none of the 1 faces"), e.getMessage());
    }
}
