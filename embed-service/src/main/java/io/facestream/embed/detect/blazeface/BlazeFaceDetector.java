package io.facestream.embed.detect.blazeface;

import static org.bytedeco.opencv.global.opencv_core.BORDER_CONSTANT;
import static org.bytedeco.opencv.global.opencv_core.copyMakeBorder;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Point;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.OnnxNet;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.onnx.PixelLayout;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * MediaPipe BlazeFace: the short-range "front" 128 px or "back" 256 px model, or the full-range 192 px model (the
 * head layout, {@link BlazeFaceAnchors}, is recognised from the output shapes). The frame is letterboxed to the
 * square input (aspect ratio kept, black bars), so faces are not squashed; results are mapped back to image pixels.
 *
 * <p><b>Tiling.</b> Letterboxing a 1920×1080 frame into 192 px shrinks it tenfold, and a 100 px face becomes 10 px,
 * below what the model finds. With {@code tile > 0} a frame larger than a tile is also cut into overlapping square
 * tiles of that side (evenly spaced, the last flush with the edge), each run at the model's scale; the whole frame is
 * still run once for faces bigger than a tile, and all detections, in frame pixels, go through one weighted NMS.
 *
 * <p><b>Landmarks.</b> BlazeFace gives 6 keypoints: two eyes, nose tip, mouth <i>centre</i> and two ear tragions.
 * The alignment template needs two mouth corners, which BlazeFace does not measure. We place them on the line
 * through the mouth centre parallel to the eyes, half a template mouth-width to each side (the template's mouth is
 * 0.828 × its eye distance wide). The ears are dropped. The 5-point fit is then effectively a 4-point fit
 * (eyes, nose, mouth centre): scale and rotation are a little less accurate than with MTCNN's measured corners, and a
 * smiling or open mouth is not seen at all. Faces are marked {@link LandmarkSource#MOUTH_ESTIMATED}.
 */
public final class BlazeFaceDetector implements FaceDetector {
    /** Template mouth width / eye distance: (70.73 − 41.55) / (73.53 − 38.29). */
    static final float MOUTH_TO_EYE_RATIO = 0.828f;

    private final ModelManifest manifest;
    private final PixelLayout pixels;
    private final OnnxNet net;
    private final int size;
    private final float minScore;
    private final float iouThreshold;
    private final int maxFaces;
    private final int tile;
    private final float tileOverlap;
    private final BlazeFaceAnchors layout;
    private final float[][][] anchors;
    /** The input tensor, reused across calls (one per thread: a detector may be shared by detect workers). */
    private final ThreadLocal<float[]> inputs;

    public BlazeFaceDetector(
            ModelStore.InstalledModel model, OnnxSessions sessions, float minScore, float iouThreshold, int maxFaces) {
        this(model, sessions, minScore, iouThreshold, maxFaces, 0, 0.25f);
    }

    public BlazeFaceDetector(
            ModelStore.InstalledModel model,
            OnnxSessions sessions,
            float minScore,
            float iouThreshold,
            int maxFaces,
            int tile,
            float tileOverlap) {
        this.manifest = model.manifest();
        this.pixels = PixelLayout.of(manifest);
        ModelManifest.Input in = manifest.input();
        if (in.width() <= 0 || in.width() != in.height()) {
            throw new ModelException("BlazeFace model " + manifest.id() + " must declare a square input, got "
                    + in.width() + "x" + in.height());
        }
        this.size = in.width();
        this.minScore = minScore;
        this.iouThreshold = iouThreshold;
        this.maxFaces = maxFaces;
        if (tile < 0 || !(tileOverlap >= 0 && tileOverlap < 1)) {
            throw new IllegalArgumentException("face.blazeface.tile must be >= 0 (0 = off) and tile-overlap in [0, 1),"
                    + " got " + tile + " and " + tileOverlap);
        }
        this.tile = tile;
        this.tileOverlap = tileOverlap;
        int floats = 3 * size * size;
        this.inputs = ThreadLocal.withInitial(() -> new float[floats]);
        ModelManifest.ModelFile f = manifest.file("main");
        this.net = new OnnxNet(
                manifest.id(),
                model.path("main"),
                f.inputs() == null || f.inputs().isEmpty() ? null : f.inputs().get(0),
                sessions);
        this.layout = layoutOf(net.outputShapes().values());
        if (layout == null) {
            net.close();
            throw new ModelException(
                    "detector " + manifest.id() + " does not have BlazeFace's SSD heads (short range [1,512,1], "
                            + "[1,384,1], [1,512,16], [1,384,16]; full range [1,2304,1], [1,2304,16]); its outputs are "
                            + net.outputShapes().entrySet().stream()
                                    .map(e -> e.getKey() + java.util.Arrays.toString(e.getValue()))
                                    .toList()
                            + ". Supported detectors: an MTCNN cascade (files pnet/rnet/onet) or BlazeFace.");
        }
        this.anchors = new float[layout.layerCount()][][];
        for (int l = 0; l < anchors.length; l++) {
            anchors[l] = layout.centres(l);
        }
    }

    /** The anchor layout whose score and regressor heads all appear among the output shapes, or null. */
    static BlazeFaceAnchors layoutOf(java.util.Collection<long[]> shapes) {
        for (BlazeFaceAnchors candidate : BlazeFaceAnchors.KNOWN) {
            if (hasHeads(candidate, shapes)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean hasHeads(BlazeFaceAnchors layout, java.util.Collection<long[]> shapes) {
        for (int layer = 0; layer < layout.layerCount(); layer++) {
            for (int values : new int[] {1, BlazeFaceDecoder.VALUES}) {
                int n = layout.count(layer);
                if (shapes.stream().noneMatch(s -> s.length == 3 && s[1] == n && s[2] == values)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The anchor layout this model was recognised as (short-range or full-range). */
    public String anchorLayout() {
        return layout.name();
    }

    /**
     * The anchor grid this detector decodes against, in output order: {cells per side, anchors per cell} per feature
     * map (a copy). For a peer implementation that must decode the same heads the same way (bench cameras' OpenCV
     * DNN peer).
     */
    public int[][] anchorGrid() {
        int[][] out = new int[layout.layerCount()][];
        for (int l = 0; l < out.length; l++) {
            out[l] = layout.layers()[l].clone();
        }
        return out;
    }

    @Override
    public String id() {
        return manifest.id();
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        List<BlazeFaceDecoder.Raw> raw = new ArrayList<>(inFramePixels(bgr, 0, 0));
        if (tile > 0 && Math.max(w, h) > tile) {
            for (int y : starts(h, tile, tileOverlap)) {
                for (int x : starts(w, tile, tileOverlap)) {
                    try (Rect r = new Rect(x, y, Math.min(tile, w - x), Math.min(tile, h - y));
                            Mat part = new Mat(bgr, r)) {
                        raw.addAll(inFramePixels(part, x, y));
                    }
                }
            }
        }
        List<DetectedFace> faces = new ArrayList<>();
        for (BlazeFaceDecoder.Raw d : BlazeFaceDecoder.weightedNms(raw, iouThreshold, maxFaces)) {
            faces.add(toImage(d, 1, 0, 0));
        }
        return faces;
    }

    /**
     * Start offsets of tiles of side {@code tile} along an axis of {@code length} pixels: evenly spaced, neighbours
     * sharing at least {@code overlap} of a tile, the first at 0 and the last flush with the end.
     */
    static int[] starts(int length, int tile, float overlap) {
        if (length <= tile) {
            return new int[] {0};
        }
        float stride = tile * (1 - overlap);
        int n = (int) Math.ceil((length - tile) / stride) + 1;
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = Math.round((float) i * (length - tile) / (n - 1));
        }
        return out;
    }

    /** Detections of one image (the frame or a tile at x0, y0) in frame pixels, before NMS. */
    private List<BlazeFaceDecoder.Raw> inFramePixels(Mat bgr, int x0, int y0) {
        int w = bgr.cols();
        int h = bgr.rows();
        int side = Math.max(w, h);
        int padX = (side - w) / 2;
        int padY = (side - h) / 2;
        float[] data = inputs.get();
        try (Scalar black = new Scalar(0, 0, 0, 0);
                Mat square = new Mat();
                Mat input = new Mat();
                Size dsize = new Size(size, size)) {
            copyMakeBorder(bgr, square, padY, side - h - padY, padX, side - w - padX, BORDER_CONSTANT, black);
            resize(square, input, dsize, 0, 0, side > size ? INTER_AREA : INTER_LINEAR);
            pixels.pack(input, data, 0);
        }
        List<OnnxNet.Output> out = net.run(data, pixels.shape(1, size, size));
        List<BlazeFaceDecoder.Raw> raw = new ArrayList<>();
        for (int layer = 0; layer < layout.layerCount(); layer++) {
            int n = layout.count(layer);
            for (BlazeFaceDecoder.Raw d : BlazeFaceDecoder.decode(
                    head(out, n, 1), head(out, n, BlazeFaceDecoder.VALUES), anchors[layer], size, minScore)) {
                raw.add(toFrame(d, side, padX - x0, padY - y0));
            }
        }
        return raw;
    }

    /** Normalised letterbox coordinates → frame pixels (offset = letterbox pad minus the tile's origin). */
    private static BlazeFaceDecoder.Raw toFrame(BlazeFaceDecoder.Raw d, float side, float offX, float offY) {
        float[] b = d.box();
        float[] k = d.keypoints();
        float[] box = {b[0] * side - offX, b[1] * side - offY, b[2] * side - offX, b[3] * side - offY};
        float[] kp = new float[k.length];
        for (int i = 0; i < k.length; i += 2) {
            kp[i] = k[i] * side - offX;
            kp[i + 1] = k[i + 1] * side - offY;
        }
        return new BlazeFaceDecoder.Raw(box, kp, d.score());
    }

    /** Normalised letterbox coordinates → image pixels, keypoints → the 5-point scheme. */
    static DetectedFace toImage(BlazeFaceDecoder.Raw d, float side, float padX, float padY) {
        float[] b = d.box();
        float[] k = d.keypoints();
        Point[] p = new Point[4];
        for (int i = 0; i < 4; i++) {
            p[i] = new Point(k[2 * i] * side - padX, k[2 * i + 1] * side - padY);
        }
        Point leftEye = p[0];
        Point rightEye = p[1];
        Point nose = p[2];
        Point mouth = p[3];
        float half = MOUTH_TO_EYE_RATIO / 2;
        float ex = (rightEye.x() - leftEye.x()) * half;
        float ey = (rightEye.y() - leftEye.y()) * half;
        List<Point> five = List.of(
                leftEye,
                rightEye,
                nose,
                new Point(mouth.x() - ex, mouth.y() - ey),
                new Point(mouth.x() + ex, mouth.y() + ey));
        Box box = Box.fromCorners(b[0] * side - padX, b[1] * side - padY, b[2] * side - padX, b[3] * side - padY);
        return new DetectedFace(box, d.score(), five, LandmarkSource.MOUTH_ESTIMATED);
    }

    /** The head output with n anchors and the given values per anchor ([1, n, values]). */
    private float[] head(List<OnnxNet.Output> outputs, int anchors, int values) {
        for (OnnxNet.Output o : outputs) {
            long[] s = o.shape();
            if (s.length == 3 && s[1] == anchors && s[2] == values) {
                return o.values();
            }
        }
        throw new ModelException("BlazeFace model " + manifest.id() + ": no output of shape [1," + anchors + ","
                + values + "] (outputs: "
                + outputs.stream()
                        .map(o -> o.name() + java.util.Arrays.toString(o.shape()))
                        .toList() + ")");
    }

    @Override
    public void close() {
        net.close();
    }
}
