package io.facestream.embed.detect.mtcnn;

import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.REG;
import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.SCORE;
import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.X1;
import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.X2;
import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.Y1;
import static io.facestream.embed.detect.mtcnn.MtcnnBoxes.Y2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC3;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Nms;
import io.facestream.embed.detect.Point;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.OnnxNet;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.onnx.PixelLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The MTCNN cascade (Zhang et al. 2016): an image pyramid through P-Net proposes windows, R-Net and O-Net re-score
 * and refine square crops of them, O-Net also places the 5 landmarks. Box arithmetic follows the implementation
 * AdaFace aligned with (TropComplique's port), with the softmax done properly inside the networks. The networks'
 * axis order comes from the manifest: these Caffe-derived weights expect transposed (W×H) images, which the layout
 * {@code NWHC} expresses and {@link PixelLayout} honours for inputs and for P-Net's output maps.
 */
public final class MtcnnDetector implements FaceDetector {
    /** Crops per R-/O-Net call: bounds the tensor size on frames with thousands of proposals. */
    private static final int CROP_BATCH = 256;

    /** Pyramid levels kept per thread: a few frame sizes' worth (a 1080p pyramid at the defaults has 25 levels). */
    private static final int MAX_LEVELS = 128;

    private final ModelManifest manifest;
    private final MtcnnSettings settings;
    private final PixelLayout pixels;
    private final OnnxNet pnet;
    private final OnnxNet rnet;
    private final OnnxNet onet;
    private final int rnetSize;
    private final int onetSize;
    /**
     * Buffers reused across calls, one set per calling thread (a detector may be shared by several detect workers):
     * pyramid Mats, direct input/output buffers per level and frame size, and R-/O-Net batch buffers.
     */
    private final ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(Workspace::new);

    public MtcnnDetector(ModelStore.InstalledModel model, OnnxSessions sessions, MtcnnSettings settings) {
        this.manifest = model.manifest();
        this.settings = settings;
        this.pixels = PixelLayout.of(manifest);
        List<OnnxNet> opened = new ArrayList<>();
        try {
            this.pnet = open(model, "pnet", sessions, opened);
            this.rnet = open(model, "rnet", sessions, opened);
            this.onet = open(model, "onet", sessions, opened);
        } catch (RuntimeException e) {
            opened.forEach(OnnxNet::close);
            throw e;
        }
        this.rnetSize = cropSize(rnet, 24);
        this.onetSize = cropSize(onet, 48);
    }

    private OnnxNet open(ModelStore.InstalledModel model, String role, OnnxSessions sessions, List<OnnxNet> opened) {
        ModelManifest.ModelFile f = manifest.file(role);
        String input =
                f.inputs() == null || f.inputs().isEmpty() ? null : f.inputs().get(0);
        OnnxNet net = new OnnxNet(manifest.id() + "/" + role, model.path(role), input, sessions);
        opened.add(net);
        return net;
    }

    private int cropSize(OnnxNet net, int fallback) {
        long h = net.inputShape()[pixels.axis('H')];
        return h > 0 ? (int) h : fallback;
    }

    @Override
    public String id() {
        return manifest.id();
    }

    public MtcnnSettings settings() {
        return settings;
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        List<float[]> boxes = proposals(bgr);
        if (boxes.isEmpty()) {
            return List.of();
        }
        boxes = refine(bgr, boxes);
        if (boxes.isEmpty()) {
            return List.of();
        }
        return output(bgr, boxes);
    }

    /** Stage 1: P-Net over the pyramid. */
    private List<float[]> proposals(Mat bgr) {
        List<float[]> all = settings.reuseBuffers() ? pyramidInPlace(bgr) : pyramidOnHeap(bgr);
        List<float[]> kept = keep(all, settings.nmsThresholds()[0], Nms.Overlap.UNION);
        for (float[] b : kept) {
            MtcnnBoxes.calibrate(b);
            MtcnnBoxes.squareAndRound(b);
        }
        return kept;
    }

    /**
     * The pyramid through P-Net with nothing allocated per call once a frame size has been seen: each level is
     * resized into a kept Mat (from the level before when {@link MtcnnSettings#chained}, else from the frame), packed
     * into a kept direct buffer and P-Net writes its maps into kept direct buffers (pinned outputs).
     */
    private List<float[]> pyramidInPlace(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        Workspace ws = workspaces.get();
        List<float[]> all = new ArrayList<>();
        List<Float> scales = MtcnnBoxes.scales(w, h, settings);
        Mat previous = null;
        float previousScale = 1f;
        for (int level = 0; level < scales.size(); level++) {
            float scale = scales.get(level);
            int sw = (int) Math.ceil(w * scale);
            int sh = (int) Math.ceil(h * scale);
            if (sw < MtcnnBoxes.CELL || sh < MtcnnBoxes.CELL) {
                continue;
            }
            Level l = ws.level(sw, sh);
            // Downscaling a level that was itself downscaled: INTER_AREA over the smaller image reads ~1/scale² fewer
            // pixels; a level above 1 (tiny min face) is always made from the frame.
            Mat source = settings.chained() && previous != null && previousScale < 1 ? previous : bgr;
            resize(source, l.image, l.size, 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
            ws.scratch = pixels.pack(l.image, l.input, 0, ws.scratch);
            long[] inShape = pixels.shape(1, sh, sw);
            if (l.prob == null) {
                // First time at this size: one ordinary run tells the map shapes, kept for the pinned runs after.
                List<OnnxNet.Output> out = pnet.run(copyOf(l.input, 3 * sw * sh), inShape);
                l.pin(byChannels(out, 2, true), byChannels(out, 4, true));
            } else {
                pnet.run(l.input, inShape, l.pinned);
            }
            int rows = (int) l.probShape[pixels.axis('H')];
            int cols = (int) l.probShape[pixels.axis('W')];
            List<float[]> found = MtcnnBoxes.candidates(
                    rows,
                    cols,
                    mapReader(l.probShape, l.prob),
                    mapReader(l.regShape, l.reg),
                    scale,
                    settings.thresholds()[0]);
            for (int k : Nms.greedy(
                    MtcnnBoxes.corners(found),
                    MtcnnBoxes.scores(found),
                    MtcnnSettings.PNET_SCALE_NMS,
                    Nms.Overlap.UNION)) {
                all.add(found.get(k));
            }
            previous = l.image;
            previousScale = scale;
        }
        return all;
    }

    private static float[] copyOf(FloatBuffer b, int n) {
        float[] out = new float[n];
        b.get(0, out, 0, n);
        return out;
    }

    /** The original pyramid: every level resized from the frame into fresh heap arrays (face.mtcnn.reuse-buffers=false). */
    private List<float[]> pyramidOnHeap(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        List<float[]> all = new ArrayList<>();
        for (float scale : MtcnnBoxes.scales(w, h, settings)) {
            int sw = (int) Math.ceil(w * scale);
            int sh = (int) Math.ceil(h * scale);
            if (sw < MtcnnBoxes.CELL || sh < MtcnnBoxes.CELL) {
                continue;
            }
            float[] data = new float[3 * sw * sh];
            try (Mat scaled = new Mat();
                    Size size = new Size(sw, sh)) {
                resize(bgr, scaled, size, 0, 0, scale < 1 ? INTER_AREA : INTER_LINEAR);
                pixels.pack(scaled, data, 0);
            }
            List<OnnxNet.Output> out = pnet.run(data, pixels.shape(1, sh, sw));
            OnnxNet.Output prob = byChannels(out, 2, true);
            OnnxNet.Output reg = byChannels(out, 4, true);
            int rows = (int) prob.shape()[pixels.axis('H')];
            int cols = (int) prob.shape()[pixels.axis('W')];
            List<float[]> found =
                    MtcnnBoxes.candidates(rows, cols, mapReader(prob), mapReader(reg), scale, settings.thresholds()[0]);
            for (int k : Nms.greedy(
                    MtcnnBoxes.corners(found),
                    MtcnnBoxes.scores(found),
                    MtcnnSettings.PNET_SCALE_NMS,
                    Nms.Overlap.UNION)) {
                all.add(found.get(k));
            }
        }
        return all;
    }

    /** Stage 2: R-Net re-scores 24×24 crops and refines them. */
    private List<float[]> refine(Mat bgr, List<float[]> boxes) {
        List<float[]> passed = new ArrayList<>();
        for (int start = 0; start < boxes.size(); start += CROP_BATCH) {
            List<float[]> chunk = boxes.subList(start, Math.min(boxes.size(), start + CROP_BATCH));
            float[][] heads = stage(rnet, bgr, chunk, rnetSize, 2, 4);
            float[] prob = heads[0];
            float[] reg = heads[1];
            for (int i = 0; i < chunk.size(); i++) {
                float p = prob[2 * i + 1];
                if (p > settings.thresholds()[1]) {
                    float[] b = chunk.get(i).clone();
                    b[SCORE] = p;
                    System.arraycopy(reg, 4 * i, b, REG, 4);
                    passed.add(b);
                }
            }
        }
        List<float[]> kept = keep(passed, settings.nmsThresholds()[1], Nms.Overlap.UNION);
        for (float[] b : kept) {
            MtcnnBoxes.calibrate(b);
            MtcnnBoxes.squareAndRound(b);
        }
        return kept;
    }

    /** Stage 3: O-Net re-scores 48×48 crops, places landmarks, refines; final NMS by overlap / smaller area. */
    private List<DetectedFace> output(Mat bgr, List<float[]> boxes) {
        List<float[]> passed = new ArrayList<>();
        List<float[]> marks = new ArrayList<>();
        for (int start = 0; start < boxes.size(); start += CROP_BATCH) {
            List<float[]> chunk = boxes.subList(start, Math.min(boxes.size(), start + CROP_BATCH));
            float[][] heads = stage(onet, bgr, chunk, onetSize, 2, 4, 10);
            float[] prob = heads[0];
            float[] reg = heads[1];
            float[] lm = heads[2];
            for (int i = 0; i < chunk.size(); i++) {
                float p = prob[2 * i + 1];
                if (p > settings.thresholds()[2]) {
                    float[] b = chunk.get(i).clone();
                    b[SCORE] = p;
                    System.arraycopy(reg, 4 * i, b, REG, 4);
                    // Landmarks are relative to the square box O-Net saw, i.e. before this stage's calibration.
                    float w = b[X2] - b[X1] + 1;
                    float h = b[Y2] - b[Y1] + 1;
                    float[] m = new float[10];
                    for (int k = 0; k < 5; k++) {
                        m[2 * k] = b[X1] + w * lm[10 * i + k];
                        m[2 * k + 1] = b[Y1] + h * lm[10 * i + 5 + k];
                    }
                    MtcnnBoxes.calibrate(b);
                    passed.add(b);
                    marks.add(m);
                }
            }
        }
        int[] keep = Nms.greedy(
                MtcnnBoxes.corners(passed), MtcnnBoxes.scores(passed), settings.nmsThresholds()[2], Nms.Overlap.MIN);
        List<DetectedFace> faces = new ArrayList<>(keep.length);
        for (int k : keep) {
            float[] b = passed.get(k);
            float[] m = marks.get(k);
            List<Point> points = new ArrayList<>(5);
            for (int j = 0; j < 5; j++) {
                points.add(new Point(m[2 * j], m[2 * j + 1]));
            }
            faces.add(new DetectedFace(
                    Box.fromCorners(b[X1], b[Y1], b[X2], b[Y2]), b[SCORE], points, LandmarkSource.MEASURED));
        }
        return faces;
    }

    /**
     * Runs R- or O-Net on the crops of {@code chunk} and returns the heads with the given channel counts, each as
     * [crop][channel] values. With reuseBuffers the crops go into a kept direct batch buffer and the heads come back
     * in kept direct buffers, copied into arrays the workspace also keeps (sized for {@link #CROP_BATCH}).
     */
    private float[][] stage(OnnxNet net, Mat bgr, List<float[]> chunk, int size, int... channels) {
        int n = chunk.size();
        long[] inShape = pixels.shape(n, size, size);
        if (!settings.reuseBuffers()) {
            List<OnnxNet.Output> out = net.run(crops(bgr, chunk, size), inShape);
            float[][] heads = new float[channels.length][];
            for (int i = 0; i < channels.length; i++) {
                heads[i] = byChannels(out, channels[i], false).values();
            }
            return heads;
        }
        Workspace ws = workspaces.get();
        Batch b = ws.batch(net, size, channels, this);
        for (int i = 0; i < n; i++) {
            try (Mat crop = crop(bgr, chunk.get(i), size)) {
                ws.scratch = pixels.pack(crop, b.input, i, ws.scratch);
            }
        }
        Map<String, OnnxNet.Pinned> pinned = new HashMap<>();
        for (int k = 0; k < channels.length; k++) {
            pinned.put(b.names[k], new OnnxNet.Pinned(b.outputs[k], new long[] {n, channels[k]}));
        }
        net.run(b.input, inShape, pinned);
        for (int k = 0; k < channels.length; k++) {
            b.outputs[k].get(0, b.values[k], 0, n * channels[k]);
        }
        return b.values;
    }

    /** The output name whose declared shape is [N, channels] (R-/O-Net heads). */
    private String headName(OnnxNet net, int channels) {
        for (Map.Entry<String, long[]> e : net.outputShapes().entrySet()) {
            long[] s = e.getValue();
            if (s.length == 2 && s[1] == channels) {
                return e.getKey();
            }
        }
        throw new ModelException("model " + manifest.id() + ": no 2-D output with " + channels + " channels (outputs: "
                + net.outputShapes().entrySet().stream()
                        .map(e -> e.getKey() + java.util.Arrays.toString(e.getValue()))
                        .toList()
                + ")");
    }

    /** Per-thread buffers; see {@link #workspaces}. */
    private static final class Workspace {
        /**
         * Pyramid levels by size (width, height), least recently used first. Keyed by size rather than level index
         * so that cameras of different resolutions served by one thread do not evict each other's levels; capped so
         * that a stream of odd sizes (stills) cannot grow it without bound.
         */
        final Map<Long, Level> levels = new java.util.LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, Level> eldest) {
                if (size() > MAX_LEVELS) {
                    eldest.getValue().close();
                    return true;
                }
                return false;
            }
        };

        final Map<OnnxNet, Batch> batches = new HashMap<>();
        byte[] scratch;

        Level level(int w, int h) {
            return levels.computeIfAbsent(((long) w << 32) | h, k -> new Level(w, h));
        }

        Batch batch(OnnxNet net, int size, int[] channels, MtcnnDetector d) {
            return batches.computeIfAbsent(net, k -> {
                String[] names = new String[channels.length];
                for (int i = 0; i < channels.length; i++) {
                    names[i] = d.headName(net, channels[i]);
                }
                return new Batch(size, channels, names);
            });
        }
    }

    /** One pyramid level's Mat and direct buffers, for one frame size. */
    private static final class Level {
        final int w;
        final int h;
        final Size size;
        final Mat image = new Mat();
        final FloatBuffer input;
        FloatBuffer prob;
        FloatBuffer reg;
        long[] probShape;
        long[] regShape;
        Map<String, OnnxNet.Pinned> pinned;

        Level(int w, int h) {
            this.w = w;
            this.h = h;
            this.size = new Size(w, h);
            this.input = direct(3 * w * h);
        }

        void pin(OnnxNet.Output p, OnnxNet.Output r) {
            probShape = p.shape();
            regShape = r.shape();
            prob = direct(p.values().length).put(0, p.values());
            reg = direct(r.values().length).put(0, r.values());
            pinned = Map.of(p.name(), new OnnxNet.Pinned(prob, probShape), r.name(), new OnnxNet.Pinned(reg, regShape));
        }

        void close() {
            image.close();
            size.close();
        }
    }

    /** An R- or O-Net batch: input for {@link #CROP_BATCH} crops and its heads. */
    private static final class Batch {
        final FloatBuffer input;
        final String[] names;
        final FloatBuffer[] outputs;
        final float[][] values;

        Batch(int size, int[] channels, String[] names) {
            this.input = direct(CROP_BATCH * 3 * size * size);
            this.names = names;
            this.outputs = new FloatBuffer[channels.length];
            this.values = new float[channels.length][];
            for (int i = 0; i < channels.length; i++) {
                outputs[i] = direct(CROP_BATCH * channels[i]);
                values[i] = new float[CROP_BATCH * channels[i]];
            }
        }
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats)
                .order(ByteOrder.nativeOrder())
                .asFloatBuffer();
    }

    private static List<float[]> keep(List<float[]> boxes, float threshold, Nms.Overlap mode) {
        List<float[]> kept = new ArrayList<>();
        for (int k : Nms.greedy(MtcnnBoxes.corners(boxes), MtcnnBoxes.scores(boxes), threshold, mode)) {
            kept.add(boxes.get(k));
        }
        return kept;
    }

    /**
     * Square crops for R-/O-Net: the integer box, zero-padded where it leaves the image (as the reference pads,
     * rather than shifting the box inside), resized to size×size and packed into one batch tensor.
     */
    private float[] crops(Mat bgr, List<float[]> boxes, int size) {
        float[] data = new float[boxes.size() * 3 * size * size];
        for (int i = 0; i < boxes.size(); i++) {
            try (Mat resized = crop(bgr, boxes.get(i), size)) {
                pixels.pack(resized, data, i);
            }
        }
        return data;
    }

    /** One square crop as {@link #crops} makes it, size×size. */
    private static Mat crop(Mat bgr, float[] b, int size) {
        int iw = bgr.cols();
        int ih = bgr.rows();
        int x1 = (int) b[X1];
        int y1 = (int) b[Y1];
        int w = Math.max(1, (int) b[X2] - x1 + 1);
        int h = Math.max(1, (int) b[Y2] - y1 + 1);
        // A calibrated box can be absurd for a garbage proposal; cap the canvas rather than allocate gigabytes.
        w = Math.min(w, 4 * Math.max(iw, ih));
        h = Math.min(h, 4 * Math.max(iw, ih));
        Mat resized = new Mat();
        try (Scalar black = new Scalar(0, 0, 0, 0);
                Mat canvas = new Mat(h, w, CV_8UC3, black);
                Size dsize = new Size(size, size)) {
            int sx1 = Math.max(0, x1);
            int sy1 = Math.max(0, y1);
            int sx2 = Math.min(iw, x1 + w);
            int sy2 = Math.min(ih, y1 + h);
            if (sx2 > sx1 && sy2 > sy1) {
                try (Rect srcRect = new Rect(sx1, sy1, sx2 - sx1, sy2 - sy1);
                        Rect dstRect = new Rect(sx1 - x1, sy1 - y1, sx2 - sx1, sy2 - sy1);
                        Mat src = new Mat(bgr, srcRect);
                        Mat dst = new Mat(canvas, dstRect)) {
                    src.copyTo(dst);
                }
            }
            resize(canvas, resized, dsize, 0, 0, Math.max(w, h) > size ? INTER_AREA : INTER_LINEAR);
        } catch (RuntimeException e) {
            resized.close();
            throw e;
        }
        return resized;
    }

    /** The output whose channel axis has {@code channels} entries (2 = probabilities, 4 = box offsets, 10 = landmarks). */
    private OnnxNet.Output byChannels(List<OnnxNet.Output> outputs, int channels, boolean map) {
        for (OnnxNet.Output o : outputs) {
            long[] s = o.shape();
            if (map && s.length == 4 && s[pixels.axis('C')] == channels) {
                return o;
            }
            if (!map && s.length == 2 && s[1] == channels) {
                return o;
            }
        }
        throw new ModelException("model " + manifest.id() + ": no " + (map ? "4-D" : "2-D") + " output with " + channels
                + " channels (outputs: "
                + outputs.stream()
                        .map(o -> o.name() + java.util.Arrays.toString(o.shape()))
                        .toList() + ")");
    }

    private MtcnnBoxes.MapReader mapReader(long[] s, FloatBuffer v) {
        long[] stride = new long[4];
        stride[3] = 1;
        for (int a = 2; a >= 0; a--) {
            stride[a] = stride[a + 1] * s[a + 1];
        }
        int sc = (int) stride[pixels.axis('C')];
        int sh = (int) stride[pixels.axis('H')];
        int sw = (int) stride[pixels.axis('W')];
        return (c, i, j) -> v.get(c * sc + i * sh + j * sw);
    }

    private MtcnnBoxes.MapReader mapReader(OnnxNet.Output o) {
        long[] s = o.shape();
        long[] stride = new long[4];
        stride[3] = 1;
        for (int a = 2; a >= 0; a--) {
            stride[a] = stride[a + 1] * s[a + 1];
        }
        int sc = (int) stride[pixels.axis('C')];
        int sh = (int) stride[pixels.axis('H')];
        int sw = (int) stride[pixels.axis('W')];
        float[] v = o.values();
        return (c, i, j) -> v[c * sc + i * sh + j * sw];
    }

    @Override
    public void close() {
        pnet.close();
        rnet.close();
        onet.close();
    }
}
