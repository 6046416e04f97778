package io.facestream.match.rollout;

import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.reembed.ModelCoverage;
import java.util.List;

/**
 * One re-embedding pass over a gallery: media given a vector of {@code model} now, media that could not be
 * (each with its reason), and the gallery's coverage of the model afterwards.
 */
public record ReembedReport(
        String gallery, ModelVersion model, int embedded, List<String> failures, ModelCoverage coverage) {
    public ReembedReport {
        failures = List.copyOf(failures);
    }

    public boolean complete() {
        return coverage != null && coverage.complete();
    }
}
