package io.facestream.match.api.faces;

import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.Match;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A decision's track as face records: its best faces (the few highest-norm ones, best first) that are still on
 * {@code facestream.faces}, embedded by the decision's model. The one reading of a track behind both its template for
 * "seen elsewhere" and the template and crops a correction keeps.
 */
public final class TrackFaces {
    private TrackFaces() {}

    /**
     * @param read a face record by its reference {@code faces/<partition>/<offset>}, empty when gone
     */
    public static List<FaceObservation> of(Match m, Function<String, Optional<FaceObservation>> read) {
        String model =
                m.model() == null ? null : m.model().name() + ":" + m.model().version();
        List<FaceObservation> out = new ArrayList<>();
        for (String ref : m.bestFaces()) {
            read.apply(ref)
                    .filter(o -> o.getEmbeddingCount() > 0)
                    .filter(o -> model == null || model(o).equals(model))
                    .ifPresent(out::add);
        }
        return out;
    }

    /** {@code name:version} of the model that embedded the face. */
    public static String model(FaceObservation o) {
        return o.getModel().getName() + ":" + o.getModel().getVersion();
    }

    /** The face's raw (unnormalised) feature: its norm is the quality that weighs it in a template. */
    public static float[] raw(FaceObservation o) {
        float[] v = new float[o.getEmbeddingCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = o.getEmbedding(i);
        }
        return v;
    }
}
