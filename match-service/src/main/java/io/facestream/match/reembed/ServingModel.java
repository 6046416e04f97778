package io.facestream.match.reembed;

import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.reembed.ModelCoverage;
import java.util.List;

/**
 * The blue/green rule for a gallery: vectors of different model versions are not comparable, so a gallery is
 * searched with a newly released version only once every medium has a vector of it; until then it stays on the
 * version it was serving.
 */
public final class ServingModel {
    private ServingModel() {}

    public static ModelVersion choose(List<ModelCoverage> coverage, ModelVersion released, ModelVersion serving) {
        boolean complete = coverage.stream().anyMatch(c -> c.model().equals(released) && c.complete());
        return complete ? released : serving;
    }
}
