package io.facestream.embed.pipeline;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.detect.mtcnn.MtcnnSettings;
import io.facestream.embed.onnx.Device;
import java.util.List;

/**
 * The {@code face.*} configuration (declared in embed-service's defaults.yaml).
 *
 * @param detector        detector model name in the store (mtcnn, blazeface-back, blazeface-front,
 *                        blazeface-full, or a user model)
 * @param embedder        embedder model name in the store
 * @param device          cpu, cuda or cuda:N
 * @param intraOpThreads  ONNX Runtime threads per session (0 = all cores)
 * @param batchSize       largest embedding batch
 * @param maxImagePixels  images above this are refused from their header, before decoding
 */
public record FaceSettings(
        String detector,
        String embedder,
        Device device,
        int intraOpThreads,
        int batchSize,
        long maxImagePixels,
        MtcnnSettings mtcnn,
        BlazeFace blazeFace) {

    /**
     * @param minScore     sigmoid score threshold
     * @param iouThreshold weighted-NMS merge IoU
     * @param maxFaces     cap per image
     * @param tile         side of the square tiles a larger frame is also searched in, pixels; 0 = whole frame only
     * @param tileOverlap  fraction of a tile shared with its neighbour
     */
    public record BlazeFace(float minScore, float iouThreshold, int maxFaces, int tile, float tileOverlap) {
        public BlazeFace(float minScore, float iouThreshold, int maxFaces) {
            this(minScore, iouThreshold, maxFaces, 0, 0.25f);
        }
    }

    /** face.mtcnn.pyramid: chained = each level from the one before (true), frame = every level from the frame. */
    private static boolean pyramid(String value) {
        return switch (value) {
            case "chained" -> true;
            case "frame" -> false;
            default ->
                throw new IllegalArgumentException("config face.mtcnn.pyramid: '" + value
                        + "' is not a pyramid mode; use chained (each level from the one before) or frame (every level"
                        + " from the full frame)");
        };
    }

    public static FaceSettings from(FacestreamConfig c) {
        return new FaceSettings(
                c.getString("face.detector"),
                c.getString("face.embedder"),
                Device.parse(c.getString("face.device")),
                c.getInt("face.intra-op-threads"),
                c.getInt("face.batch-size"),
                c.getLong("face.image.max-pixels"),
                new MtcnnSettings(
                        (float) c.getDouble("face.mtcnn.min-face-size"),
                        (float) c.getDouble("face.mtcnn.scale-factor"),
                        floats(c.getList("face.mtcnn.thresholds"), "face.mtcnn.thresholds"),
                        floats(c.getList("face.mtcnn.nms-thresholds"), "face.mtcnn.nms-thresholds"),
                        c.getBoolean("face.mtcnn.reuse-buffers"),
                        pyramid(c.getString("face.mtcnn.pyramid"))),
                new BlazeFace(
                        (float) c.getDouble("face.blazeface.min-score"),
                        (float) c.getDouble("face.blazeface.iou-threshold"),
                        c.getInt("face.blazeface.max-faces"),
                        c.getInt("face.blazeface.tile"),
                        (float) c.getDouble("face.blazeface.tile-overlap")));
    }

    public static FaceSettings defaults() {
        return from(FacestreamConfig.builder().isolated().build());
    }

    public FaceSettings withDetector(String name) {
        return new FaceSettings(name, embedder, device, intraOpThreads, batchSize, maxImagePixels, mtcnn, blazeFace);
    }

    /** These settings with another embedder: {@code name} or {@code name@version} (a model roll-out). */
    public FaceSettings withEmbedder(String spec) {
        return new FaceSettings(detector, spec, device, intraOpThreads, batchSize, maxImagePixels, mtcnn, blazeFace);
    }

    public FaceSettings withThreads(int threads) {
        return new FaceSettings(detector, embedder, device, threads, batchSize, maxImagePixels, mtcnn, blazeFace);
    }

    private static float[] floats(List<String> values, String key) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            try {
                out[i] = Float.parseFloat(values.get(i).trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("config " + key + ": '" + values.get(i) + "' is not a number");
            }
        }
        return out;
    }
}
