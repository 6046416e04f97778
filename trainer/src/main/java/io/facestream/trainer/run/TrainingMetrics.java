package io.facestream.trainer.run;

import io.facestream.trainer.data.BadRecords;
import io.facestream.trainer.head.NormStatistics;

/**
 * What a run measured.
 *
 * @param steps           steps run in this invocation
 * @param images          images seen in this invocation
 * @param firstLoss       mean loss over the first tenth of the steps run
 * @param finalLoss       mean loss over the last tenth
 * @param imagesPerSecond training throughput (wall clock, data waits included)
 * @param dataWaitShare   share of wall time the step waited for data
 * @param seconds         wall time
 * @param normStatistics  EMA of the feature norm (goes into the manifest)
 * @param badRecords      records counted and skipped
 */
public record TrainingMetrics(
        long steps,
        long images,
        double firstLoss,
        double finalLoss,
        double imagesPerSecond,
        double dataWaitShare,
        double seconds,
        NormStatistics normStatistics,
        BadRecords.Report badRecords) {}
