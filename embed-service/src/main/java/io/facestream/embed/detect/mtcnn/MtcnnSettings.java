package io.facestream.embed.detect.mtcnn;

/**
 * MTCNN cascade parameters. {@link #ADAFACE} are the settings AdaFace aligned its evaluation sets with: a finer
 * pyramid (0.85 instead of the usual 0.709), minimum face 20 px.
 *
 * @param minFaceSize   smallest face side to look for, pixels
 * @param scaleFactor   ratio between pyramid levels
 * @param thresholds    face-probability thresholds of P-, R- and O-Net
 * @param nmsThresholds IoU thresholds after P-Net (all scales), R-Net and O-Net (the last uses overlap / min area)
 * @param reuseBuffers  feed the networks from direct buffers kept per thread and size, with outputs written in place
 *                      (no per-call copies); false = fresh heap arrays per call, the original path, kept for A/B runs
 * @param chained       build each pyramid level from the level before it instead of from the full frame (only with
 *                      reuseBuffers)
 */
public record MtcnnSettings(
        float minFaceSize,
        float scaleFactor,
        float[] thresholds,
        float[] nmsThresholds,
        boolean reuseBuffers,
        boolean chained) {
    public static final MtcnnSettings ADAFACE =
            new MtcnnSettings(20f, 0.85f, new float[] {0.6f, 0.7f, 0.9f}, new float[] {0.7f, 0.7f, 0.7f});

    /** The per-scale NMS inside P-Net, fixed in every MTCNN implementation. */
    static final float PNET_SCALE_NMS = 0.5f;

    /** The given cascade parameters with the default (buffer-reusing, full-frame pyramid) execution. */
    public MtcnnSettings(float minFaceSize, float scaleFactor, float[] thresholds, float[] nmsThresholds) {
        this(minFaceSize, scaleFactor, thresholds, nmsThresholds, true, false);
    }

    public MtcnnSettings withExecution(boolean reuseBuffers, boolean chained) {
        return new MtcnnSettings(minFaceSize, scaleFactor, thresholds, nmsThresholds, reuseBuffers, chained);
    }

    public MtcnnSettings {
        if (!(minFaceSize >= 12)) {
            throw new IllegalArgumentException(
                    "mtcnn min face size must be >= 12 px (P-Net's window), got " + minFaceSize);
        }
        if (!(scaleFactor > 0.1f && scaleFactor < 1f)) {
            throw new IllegalArgumentException("mtcnn scale factor must be in (0.1, 1), got " + scaleFactor);
        }
        if (thresholds == null || thresholds.length != 3 || nmsThresholds == null || nmsThresholds.length != 3) {
            throw new IllegalArgumentException("mtcnn needs 3 thresholds and 3 NMS thresholds");
        }
        thresholds = thresholds.clone();
        nmsThresholds = nmsThresholds.clone();
    }
}
