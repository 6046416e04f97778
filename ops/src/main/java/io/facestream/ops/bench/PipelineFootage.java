package io.facestream.ops.bench;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMWRITE_JPEG_QUALITY;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import com.fasterxml.jackson.core.type.TypeReference;
import io.facestream.core.json.Json;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.synth.BlendedIdentities;
import io.facestream.synth.DonorFace;
import io.facestream.synth.DonorFinder;
import io.facestream.synth.DonorPhotos;
import io.facestream.synth.FaceLabel;
import io.facestream.synth.Identity;
import io.facestream.synth.SynthSpec;
import io.facestream.synth.VideoRenderer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.OpenCVFrameConverter;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The benchmark's camera footage: a short synthetic 640×480 clip of several people walking through a corridor
 * ({@code io.facestream.synth}), rendered once and cached as MP4 plus its exact per-frame faces. Loaded as
 * pre-encoded JPEG frames, each with its ground truth in the {@code fs.faces} format, so that the given-faces mode
 * measures the streaming service and not a detector.
 *
 * @param frames the clip, frame by frame
 */
public record PipelineFootage(int width, int height, List<ClipFrame> frames, Path file) {
    static final int WIDTH = 640;
    static final int HEIGHT = 480;
    /** Five walkers: the first crosses the whole clip, the others part of it, so most frames hold 3–5 faces. */
    static final List<Integer> CAST = List.of(1, 2, 3, 4, 5);

    static final long SEED = 20_261_122L;
    static final int JPEG_QUALITY = 90;

    /**
     * One frame as a camera would publish it.
     *
     * @param jpeg      the frame, JPEG quality 90
     * @param facesJson its ground-truth faces as the {@code fs.faces} header value
     * @param faces     the exact faces (box and 5 landmarks)
     */
    public record ClipFrame(byte[] jpeg, String facesJson, List<FaceLabel> faces) {}

    public int faceCount() {
        return frames.stream().mapToInt(f -> f.faces().size()).sum();
    }

    public double facesPerFrame() {
        return faceCount() / (double) frames.size();
    }

    /**
     * The clip of {@code frameCount} frames cached in {@code <facestreamCache>/bench}, rendered first when absent.
     * The faces come from the {@code @vladmandic/human} sample photos under the cache (docs/synth.md); the shared
     * photos ({@code shared}, may be null) are used only when those are missing.
     */
    public static PipelineFootage cached(Path facestreamCache, int frameCount, Path shared) {
        Path cache = facestreamCache.resolve("bench");
        String stem = "pipeline-" + WIDTH + "x" + HEIGHT + "-" + frameCount + "f";
        Path mp4 = cache.resolve(stem + ".mp4");
        Path truth = cache.resolve(stem + ".faces.json");
        if (!Files.isRegularFile(mp4) || !Files.isRegularFile(truth)) {
            render(cache, frameCount, donorPhotos(facestreamCache, shared), mp4, truth);
        }
        return load(mp4, truth);
    }

    private static List<Path> donorPhotos(Path facestreamCache, Path shared) {
        List<Path> own = DonorPhotos.images(facestreamCache.resolve("npm").resolve(DonorPhotos.HUMAN));
        return own.isEmpty() ? DonorPhotos.defaults(shared, facestreamCache) : own;
    }

    private static void render(Path cache, int frameCount, List<Path> photos, Path mp4, Path truth) {
        DonorFinder finder = new DonorFinder(36);
        List<DonorFace> donors = new ArrayList<>();
        photos.forEach(p -> donors.addAll(finder.find(p)));
        if (donors.size() < 2) {
            throw new CommandFailed("the donor photos " + photos + " yield " + donors.size()
                    + " usable faces; the benchmark clip needs at least 2 (docs/synth.md)");
        }
        Path work;
        try {
            Files.createDirectories(cache);
            work = Files.createTempDirectory(cache, "render-");
            Files.createDirectories(work.resolve(SynthSpec.videoFile(0)).getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + cache, e);
        }
        // faces of 48–120 px: big enough for MTCNN at its default minimum face size, as at a corridor camera
        SynthSpec spec = new SynthSpec(work, CAST.size(), 1, SEED, frameCount, WIDTH, HEIGHT, 48, 120, 1);
        List<Identity> identities = new BlendedIdentities(donors).identities(CAST.size(), SEED);
        List<FaceLabel> labels = new VideoRenderer(spec, identities).render(0, CAST, () -> {});
        List<List<Map<String, Object>>> byFrame = new ArrayList<>();
        for (int f = 0; f < frameCount; f++) {
            byFrame.add(new ArrayList<>());
        }
        for (FaceLabel l : labels) {
            byFrame.get(l.frame()).add(given(l));
        }
        try {
            Json.mapper().writeValue(truth.toFile(), byFrame);
            Files.move(work.resolve(SynthSpec.videoFile(0)), mp4, StandardCopyOption.REPLACE_EXISTING);
            try (var s = Files.walk(work)) {
                s.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache the benchmark clip in " + cache, e);
        }
    }

    /** A ground-truth face in the {@code fs.faces} JSON form. */
    private static Map<String, Object> given(FaceLabel l) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("box", List.of(l.x(), l.y(), l.w(), l.h()));
        List<List<Double>> points = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            points.add(List.of(l.landmarks()[2 * i], l.landmarks()[2 * i + 1]));
        }
        m.put("landmarks", points);
        m.put("label", "subject-" + l.subject());
        return m;
    }

    private static PipelineFootage load(Path mp4, Path truth) {
        List<List<Map<String, Object>>> faces;
        try {
            faces = Json.mapper().readValue(truth.toFile(), new TypeReference<>() {});
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the clip's ground truth " + truth, e);
        }
        List<ClipFrame> frames = new ArrayList<>();
        try (FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(mp4.toFile());
                OpenCVFrameConverter.ToMat converter = new OpenCVFrameConverter.ToMat();
                IntPointer params = new IntPointer(IMWRITE_JPEG_QUALITY, JPEG_QUALITY)) {
            grabber.start();
            for (Frame f; (f = grabber.grabImage()) != null; ) {
                int index = frames.size();
                if (index >= faces.size()) {
                    throw new CommandFailed(
                            mp4 + " has more frames than its ground truth " + truth + " (" + faces.size() + ")");
                }
                Mat image = converter.convert(f);
                try (BytePointer buf = new BytePointer()) {
                    if (!imencode(".jpg", image, buf, params)) {
                        throw new CommandFailed("JPEG encoding of frame " + index + " of " + mp4 + " failed");
                    }
                    byte[] jpeg = new byte[(int) buf.limit()];
                    buf.get(jpeg);
                    List<Map<String, Object>> given = faces.get(index);
                    frames.add(new ClipFrame(jpeg, Json.mapper().writeValueAsString(given), labels(given)));
                }
            }
            grabber.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the benchmark clip " + mp4, e);
        }
        if (frames.size() != faces.size()) {
            throw new CommandFailed(mp4 + " has " + frames.size() + " frames but its ground truth " + truth + " has "
                    + faces.size() + "; delete both to render them again");
        }
        return new PipelineFootage(WIDTH, HEIGHT, List.copyOf(frames), mp4);
    }

    @SuppressWarnings("unchecked")
    private static List<FaceLabel> labels(List<Map<String, Object>> given) {
        List<FaceLabel> out = new ArrayList<>();
        for (Map<String, Object> g : given) {
            List<Number> box = (List<Number>) g.get("box");
            List<List<Number>> lm = (List<List<Number>>) g.get("landmarks");
            double[] points = new double[10];
            for (int i = 0; i < 5; i++) {
                points[2 * i] = lm.get(i).get(0).doubleValue();
                points[2 * i + 1] = lm.get(i).get(1).doubleValue();
            }
            int subject = Integer.parseInt(((String) g.get("label")).substring("subject-".length()));
            out.add(new FaceLabel(
                    subject,
                    "clip",
                    -1,
                    box.get(0).doubleValue(),
                    box.get(1).doubleValue(),
                    box.get(2).doubleValue(),
                    box.get(3).doubleValue(),
                    points,
                    0));
        }
        return out;
    }
}
