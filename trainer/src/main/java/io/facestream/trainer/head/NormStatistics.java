package io.facestream.trainer.head;

/**
 * AdaFace's running statistics of the feature norm (reference §1.2 buffers {@code batch_mean}, {@code batch_std}).
 * They travel in checkpoints and, after training, into the model manifest as the norm mean/std that turn a norm into
 * a quality score.
 *
 * @param mean  EMA of the batch mean of ‖f‖
 * @param std   EMA of the batch (unbiased) std of ‖f‖
 * @param steps EMA updates applied so far
 */
public record NormStatistics(double mean, double std, long steps) {
    /** AdaFace's initial buffers: μ = 20, σ = 100. */
    public static final NormStatistics ADAFACE_INITIAL = new NormStatistics(20.0, 100.0, 0);
    /** For heads that keep no statistics. */
    public static final NormStatistics NONE = new NormStatistics(0, 0, 0);

    /** One EMA step with momentum {@code alpha} towards a batch's mean and std. */
    public NormStatistics update(double alpha, double batchMean, double batchStd) {
        return new NormStatistics(
                alpha * batchMean + (1 - alpha) * mean, alpha * batchStd + (1 - alpha) * std, steps + 1);
    }
}
