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
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * MediaPipe BlazeFace (short-range "front" 128 px or "back" 256 px model). The frame is letterboxed to the square
 * input (aspect ratio kept, black bars), so faces are not squashed; results are mapped back to image pixels.
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
    private final float[][][] anchors = {BlazeFaceAnchors.centres(0), BlazeFaceAnchors.centres(1)};

    public BlazeFaceDetector(
            ModelStore.InstalledModel model, OnnxSessions sessions, float minScore, float iouThreshold, int maxFaces) {
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
        ModelManifest.ModelFile f = manifest.file("main");
        this.net = new OnnxNet(
                manifest.id(),
                model.path("main"),
                f.inputs() == null || f.inputs().isEmpty() ? null : f.inputs().get(0),
                sessions);
        if (!hasHeads(net.outputShapes().values())) {
            net.close();
            throw new ModelException(
                    "detector " + manifest.id() + " does not have BlazeFace's SSD heads ([1,512,1], [1,384,1], "
                            + "[1,512,16], [1,384,16]); its outputs are "
                            + net.outputShapes().entrySet().stream()
                                    .map(e -> e.getKey() + java.util.Arrays.toString(e.getValue()))
                                    .toList()
                            + ". Supported detectors: an MTCNN cascade (files pnet/rnet/onet) or BlazeFace.");
        }
    }

    static boolean hasHeads(java.util.Collection<long[]> shapes) {
        for (int layer = 0; layer < BlazeFaceAnchors.LAYERS.length; layer++) {
            for (int values : new int[] {1, BlazeFaceDecoder.VALUES}) {
                int n = BlazeFaceAnchors.count(layer);
                if (shapes.stream().noneMatch(s -> s.length == 3 && s[1] == n && s[2] == values)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public String id() {
        return manifest.id();
    }

    @Override
    public List<DetectedFace> detect(Mat bgr) {
        int w = bgr.cols();
        int h = bgr.rows();
        int side = Math.max(w, h);
        int padX = (side - w) / 2;
        int padY = (side - h) / 2;
        float[] data = new float[3 * size * size];
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
        for (int layer = 0; layer < BlazeFaceAnchors.LAYERS.length; layer++) {
            int n = BlazeFaceAnchors.count(layer);
            raw.addAll(BlazeFaceDecoder.decode(
                    head(out, n, 1), head(out, n, BlazeFaceDecoder.VALUES), anchors[layer], size, minScore));
        }
        List<DetectedFace> faces = new ArrayList<>();
        for (BlazeFaceDecoder.Raw d : BlazeFaceDecoder.weightedNms(raw, iouThreshold, maxFaces)) {
            faces.add(toImage(d, side, padX, padY));
        }
        return faces;
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
