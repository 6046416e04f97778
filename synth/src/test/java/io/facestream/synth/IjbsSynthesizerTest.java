package io.facestream.synth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.testing.Integration;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny real data set (4 subjects, 2 videos of 20 frames at 320×240, real libx264 MP4s decoded back with FFmpeg),
 * generated twice with one seed and once with another.
 */
@Integration
class IjbsSynthesizerTest {
    private static final int FRAMES = 20, MIN_FACE = 16, MAX_FACE = 120;

    @TempDir
    static Path tmp;

    static Path first;
    static Path second;
    static Path otherSeed;

    @BeforeAll
    static void generate() {
        List<DonorFace> donors = donors();
        first = run(tmp.resolve("a"), 7, donors);
        second = run(tmp.resolve("b"), 7, donors);
        otherSeed = run(tmp.resolve("c"), 8, donors);
    }

    private static List<DonorFace> donors() {
        FacestreamPaths paths = FacestreamPaths.fromEnvironment();
        List<Path> photos;
        try {
            photos = DonorPhotos.defaults(paths.sharedOrNull(), paths.cache());
        } catch (IllegalStateException e) {
            Assumptions.abort("no donor photos available: " + e.getMessage());
            return List.of();
        }
        DonorFinder finder = new DonorFinder(36);
        List<DonorFace> out = new ArrayList<>();
        for (Path p : photos) {
            out.addAll(finder.find(p));
        }
        Assumptions.assumeTrue(out.size() >= 2, "fewer than 2 donor faces found");
        return out;
    }

    private static Path run(Path out, long seed, List<DonorFace> donors) {
        SynthSpec spec = new SynthSpec(out, 4, 2, seed, FRAMES, 320, 240, MIN_FACE, MAX_FACE, 2);
        new IjbsSynthesizer(spec, new BlendedIdentities(donors), System.err).generate();
        return out;
    }

    @Test
    void sameSeedGivesSameCsvBytesAndSameFrames() throws Exception {
        for (String csv : List.of(
                "cs6_metadata.csv",
                "cs6_surveillance_to_single-booking_probe.csv",
                "cs6_surveillance_to_surveillance_probe.csv",
                "galleries/cs6_surveillance_to_single_g1.csv",
                "galleries/cs6_surveillance_to_booking_g2.csv",
                "galleries/cs6_surveillance_to_surveillance_g1.csv")) {
            assertArrayEquals(Files.readAllBytes(first.resolve(csv)), Files.readAllBytes(second.resolve(csv)), csv);
        }
        for (String video : List.of(SynthSpec.videoFile(0), SynthSpec.videoFile(1))) {
            // Byte-equal MP4s. Before x264's macroblock tree was switched off, the bytes depended on the heap left by
            // earlier native work in the JVM (this test failed after the demo test about one run in three).
            assertArrayEquals(
                    Files.readAllBytes(first.resolve(video)), Files.readAllBytes(second.resolve(video)), video);
        }
        for (String still : stills(first)) {
            assertArrayEquals(
                    Files.readAllBytes(first.resolve("img").resolve(still)),
                    Files.readAllBytes(second.resolve("img").resolve(still)),
                    still);
        }
        assertEquals(3 * SynthSpec.BOOKING_STILLS, stills(first).size(), "3 of 4 subjects enrolled, 4 stills each");
        assertFalse(
                java.util.Arrays.equals(
                        Files.readAllBytes(first.resolve("cs6_metadata.csv")),
                        Files.readAllBytes(otherSeed.resolve("cs6_metadata.csv"))),
                "another seed must give another data set");
    }

    private static List<String> stills(Path root) throws IOException {
        try (var s = Files.list(root.resolve("img"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void groundTruthMatchesTheDecodedVideos() throws Exception {
        List<String> rows = Files.readAllLines(first.resolve("cs6_metadata.csv"));
        Map<String, List<double[]>> boxes = new HashMap<>();
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split(",", -1);
            assertEquals(18, f.length, row);
            if (f[1].startsWith("videos/")) {
                boxes.computeIfAbsent(f[1], k -> new ArrayList<>()).add(new double[] {
                    Integer.parseInt(f[2]),
                    Double.parseDouble(f[3]),
                    Double.parseDouble(f[4]),
                    Double.parseDouble(f[5]),
                    Double.parseDouble(f[6]),
                    Double.parseDouble(f[7]),
                    Double.parseDouble(f[8]),
                    Double.parseDouble(f[9]),
                    Double.parseDouble(f[10])
                });
            }
        }
        assertEquals(2, boxes.size());
        double min = Double.MAX_VALUE, max = 0;
        for (var e : boxes.entrySet()) {
            List<byte[]> frames = decode(first.resolve(e.getKey()));
            assertEquals(FRAMES, frames.size(), e.getKey() + " decoded frame count");
            for (double[] b : e.getValue()) {
                assertTrue(b[0] >= 0 && b[0] < FRAMES, "frame index " + b[0]);
                assertTrue(
                        b[1] >= 0 && b[2] >= 0 && b[1] + b[3] <= 320 && b[2] + b[4] <= 240,
                        "box inside the 320x240 frame: " + java.util.Arrays.toString(b));
                // Eyes inside the box, left eye left of the right eye.
                assertTrue(b[5] > b[1] && b[7] < b[1] + b[3] && b[5] < b[7] && b[6] > b[2] && b[8] < b[2] + b[4]);
                min = Math.min(min, b[3]);
                max = Math.max(max, b[3]);
            }
        }
        assertTrue(min <= MIN_FACE + 2, "smallest face " + min);
        assertTrue(max >= MAX_FACE - 2, "largest face " + max);
    }

    @Test
    void protocolParsesWithTheEvaluationReader() {
        IjbsProtocolFolder folder = IjbsProtocolReader.read(first);
        assertFalse(folder.surveillanceToStillProbes().isEmpty(), "surveillance-to-still probes");
        assertFalse(folder.surveillanceToSurveillanceProbes().isEmpty(), "surveillance-to-surveillance probes");
    }

    private static List<byte[]> decode(Path video) throws Exception {
        List<byte[]> out = new ArrayList<>();
        for (Mat m : decodeMats(video)) {
            byte[] b = new byte[(int) (m.total() * m.channels())];
            m.data().get(b);
            out.add(b);
        }
        return out;
    }

    private static List<Mat> decodeMats(Path video) throws Exception {
        List<Mat> out = new ArrayList<>();
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile());
                OpenCVFrameConverter.ToMat c = new OpenCVFrameConverter.ToMat()) {
            g.start();
            Frame f;
            while ((f = g.grabImage()) != null) {
                out.add(c.convert(f).clone());
            }
            g.stop();
        }
        return out;
    }
}
