package io.facestream.trainer.run;

import io.facestream.trainer.head.CentreInit;

/**
 * Optimiser and loader settings. Defaults follow the reference (§4.3): SGD momentum 0.9, weight decay 5e-4 on every
 * non-BatchNorm parameter and the class centres, step decay ×0.1 at 12/26, 20/26 and 24/26 of the run (the published
 * epoch milestones, scaled to the budget). The default learning rate is lower than the paper's 0.1 from-scratch rate
 * because a fine-tune starts from trained weights.
 *
 * @param batchSize     images per step (≥ 2: AdaFace's std needs two samples)
 * @param learningRate  initial learning rate
 * @param momentum      SGD momentum
 * @param weightDecay   L2 decay for the decayed group
 * @param seed          seeds class centres, data order, augmentations and PyTorch
 * @param loaderThreads background threads decoding and augmenting
 * @param checkpointEvery steps between checkpoints (the last step always checkpoints)
 * @param centres       how the class centres start; null = by the base model ({@link CentreInit#defaultFor}:
 *                      prototypes for a pretrained model, random for an IR net from scratch)
 * @param backboneLrScale the backbone's learning rate as a fraction of the head's (1 = one rate for all): a pretrained
 *                      backbone usually wants to move less than a fresh head
 */
public record Hyperparameters(
        int batchSize,
        double learningRate,
        double momentum,
        double weightDecay,
        long seed,
        int loaderThreads,
        long checkpointEvery,
        CentreInit centres,
        double backboneLrScale) {
    public static final double[] MILESTONES = {12.0 / 26, 20.0 / 26, 24.0 / 26};

    public Hyperparameters {
        if (batchSize < 2) {
            throw new IllegalArgumentException("--batch must be at least 2, got " + batchSize);
        }
        if (!(learningRate > 0)) {
            throw new IllegalArgumentException("--lr must be positive, got " + learningRate);
        }
        if (!(backboneLrScale >= 0) || backboneLrScale > 1e6) {
            throw new IllegalArgumentException(
                    "--backbone-lr-scale must be a finite number ≥ 0, got " + backboneLrScale);
        }
    }

    public static Hyperparameters defaults() {
        return new Hyperparameters(
                64, 0.01, 0.9, 5e-4, 42, Math.max(1, Runtime.getRuntime().availableProcessors() / 2), 500, null, 1);
    }

    public Hyperparameters withBatch(int b) {
        return new Hyperparameters(
                b, learningRate, momentum, weightDecay, seed, loaderThreads, checkpointEvery, centres, backboneLrScale);
    }

    public Hyperparameters withLearningRate(double lr) {
        return new Hyperparameters(
                batchSize, lr, momentum, weightDecay, seed, loaderThreads, checkpointEvery, centres, backboneLrScale);
    }

    public Hyperparameters withSeed(long s) {
        return new Hyperparameters(
                batchSize,
                learningRate,
                momentum,
                weightDecay,
                s,
                loaderThreads,
                checkpointEvery,
                centres,
                backboneLrScale);
    }

    public Hyperparameters withCheckpointEvery(long every) {
        return new Hyperparameters(
                batchSize, learningRate, momentum, weightDecay, seed, loaderThreads, every, centres, backboneLrScale);
    }

    public Hyperparameters withLoaderThreads(int threads) {
        return new Hyperparameters(
                batchSize,
                learningRate,
                momentum,
                weightDecay,
                seed,
                threads,
                checkpointEvery,
                centres,
                backboneLrScale);
    }

    /** @param init prototypes or random; null = by the base model */
    public Hyperparameters withCentres(CentreInit init) {
        return new Hyperparameters(
                batchSize,
                learningRate,
                momentum,
                weightDecay,
                seed,
                loaderThreads,
                checkpointEvery,
                init,
                backboneLrScale);
    }

    public Hyperparameters withBackboneLrScale(double scale) {
        return new Hyperparameters(
                batchSize, learningRate, momentum, weightDecay, seed, loaderThreads, checkpointEvery, centres, scale);
    }

    /** The centre initialisation this run uses for {@code base}. */
    public CentreInit centresFor(BaseModel base) {
        return centres != null ? centres : CentreInit.defaultFor(base.pretrained());
    }

    /** Learning rate at {@code step} of {@code total}: ×0.1 past each milestone. */
    public double learningRate(long step, long total) {
        double lr = learningRate;
        for (double m : MILESTONES) {
            if (step >= Math.round(m * total)) {
                lr *= 0.1;
            }
        }
        return lr;
    }
}
