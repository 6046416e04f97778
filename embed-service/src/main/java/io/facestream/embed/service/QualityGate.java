package io.facestream.embed.service;

import io.facestream.embed.model.ModelManifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The feature-norm quality filter (AdaFace/MagFace: the raw feature norm grows with recognisability).
 * A face counts when its norm reaches the threshold: the deployment's override, else the model manifest's default.
 *
 * @param threshold minimum norm
 * @param normMean  training-time norm mean of the model (quality = (norm - mean) / std)
 * @param normStd   training-time norm std
 */
record QualityGate(double threshold, double normMean, double normStd) {
    private static final Logger LOG = LoggerFactory.getLogger(QualityGate.class);

    static QualityGate of(ModelManifest manifest, double override) {
        ModelManifest.Embedding e = manifest.embedding();
        if (e.unitLength()) {
            LOG.warn(
                    "model {} outputs unit-length features: the norm carries no quality signal, the quality filter is off",
                    manifest.id());
            return new QualityGate(0, 1, 0);
        }
        double threshold = override >= 0 ? override : e.qualityThreshold();
        return new QualityGate(threshold, e.normMean(), e.normStd());
    }

    boolean accepts(float norm) {
        return norm >= threshold;
    }

    /** Standardised norm: how many training-time standard deviations above the mean this face's norm lies. */
    float quality(float norm) {
        return normStd > 0 ? (float) ((norm - normMean) / normStd) : norm;
    }
}
