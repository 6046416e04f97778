package io.facestream.ops.quality;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.Integration;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Integration
class CalibrateCommandTest {

    @Test
    void quantilesAndRejectedSharesAreOrderStatistics() {
        NormSample s = NormSample.of(new float[] {30, 10, 20, 40, 50});
        assertEquals(10, s.quantile(0), 1e-9);
        assertEquals(30, s.quantile(0.5), 1e-9);
        assertEquals(15, s.quantile(0.125), 1e-9); // a quarter of the way from 10 to 20
        assertEquals(0.4, s.rejectedBelow(30), 1e-9); // 10 and 20 lie below 30; 30 itself is kept
        assertEquals(0.0, s.rejectedBelow(10), 1e-9);
        assertEquals(1.0, s.rejectedBelow(51), 1e-9);
        assertEquals(
                List.of(1, 1, 1, 1, 1),
                java.util.Arrays.stream(s.histogram(5, 10, 50)).boxed().toList());
    }

    @Test
    void calibratesOnAFolderOfRealPhotographsAndDrawsTheHistogram(@TempDir Path dir) throws Exception {
        SamplePhotos photos = SamplePhotos.fetch();
        Path footage = Files.createDirectories(dir.resolve("footage"));
        for (Path p : List.of(
                photos.portrait(SamplePhotos.Portrait.SAME_A),
                photos.portrait(SamplePhotos.Portrait.SAME_B),
                photos.crowd(),
                photos.group("sample5.jpg"))) {
            Files.copy(p, footage.resolve(p.getFileName()));
        }
        Path svg = dir.resolve("norms.svg");
        Path json = dir.resolve("norms.json");
        int code = FacestreamCli.run(
                "quality",
                "calibrate",
                "--footage",
                footage.toString(),
                "--out",
                svg.toString(),
                "--json",
                json.toString(),
                "--set",
                "models.dir=" + ModelZoo.defaultStore().root());
        assertEquals(0, code);
        String drawing = Files.readString(svg);
        assertTrue(
                drawing.startsWith("<svg") && drawing.contains("reject 10%") && drawing.contains("manifest default"),
                drawing);
        JsonNode rows = Json.mapper().readTree(json.toFile()).at("/tables/0/rows");
        assertEquals(4, rows.size());
        double reject10 = rows.get(2).get("faces rejected").asDouble();
        assertTrue(reject10 > 0 && reject10 <= 0.2, "the 10% suggestion rejects about a tenth: " + reject10);
        assertTrue(
                rows.get(1).get("norm").asDouble() <= rows.get(3).get("norm").asDouble(),
                "thresholds grow with the share");
    }

    @Test
    void missingFootageIsAClearErrorNotACrash() {
        assertEquals(1, FacestreamCli.run("quality", "calibrate", "--footage", "/no/such/footage.mp4"));
    }
}
