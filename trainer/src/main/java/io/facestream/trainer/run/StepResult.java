package io.facestream.trainer.run;

/**
 * One optimiser step.
 *
 * @param step         global step index
 * @param loss         mean cross-entropy of the batch
 * @param images       images in the batch
 * @param waitNanos    time the step waited for its batch (data loading not hidden by prefetch)
 * @param computeNanos forward + backward + update
 * @param dataWorkNanos loader thread time that produced the batch
 * @param learningRate learning rate used
 * @param normMean     mean feature norm ‖f‖ of the batch (training mode)
 * @param normStd      its std
 */
public record StepResult(
        long step,
        double loss,
        int images,
        long waitNanos,
        long computeNanos,
        long dataWorkNanos,
        double learningRate,
        double normMean,
        double normStd) {}
