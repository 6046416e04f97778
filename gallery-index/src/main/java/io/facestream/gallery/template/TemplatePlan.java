package io.facestream.gallery.template;

import io.facestream.core.vector.TemplateFusion;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which templates a subject's media make under a gallery kind: one per medium (SINGLE, SURVEILLANCE) or one fused
 * template per model version over all media (BOOKING). Media that lack a model version simply do not contribute to
 * that version's template until they are re-embedded. A booking template is core's {@link TemplateFusion} of the raw
 * features, the fusion the live track template and the offline IJB-S metric use too.
 */
public final class TemplatePlan {
    private TemplatePlan() {}

    /** One template: the media it stands for (one, or all of a booking subject) and a unit vector per model. */
    public record Template(String mediaId, Map<ModelVersion, float[]> vectors) {}

    public static Template forMedium(Medium m) {
        Map<ModelVersion, float[]> vectors = new LinkedHashMap<>();
        for (Embedding e : m.embeddings()) {
            vectors.put(e.model(), e.unit());
        }
        return new Template(m.mediaId(), vectors);
    }

    /**
     * The BOOKING template of a subject; empty vectors when no medium has an embedding. A model whose media cancel out
     * (their sum has no length) has no template: it would score 0 against everything, and refusing the whole subject
     * would stop the replica that re-fuses it.
     */
    public static Template forSubject(List<Medium> media) {
        TreeSet<ModelVersion> models = new TreeSet<>();
        media.forEach(m -> m.embeddings().forEach(e -> models.add(e.model())));
        Map<ModelVersion, float[]> vectors = new LinkedHashMap<>();
        for (ModelVersion model : models) {
            List<float[]> members = new ArrayList<>();
            media.forEach(m -> m.embedding(model).ifPresent(e -> members.add(e.values())));
            fuse(model, members).ifPresent(v -> vectors.put(model, v));
        }
        return new Template("", vectors);
    }

    /**
     * The unit vector of the sum of the members' raw features (= norm-weighted sum of their unit features, IJB-S
     * {@code pre_norm_vector_add}). Media whose features cancel out make no template (empty); media of different
     * dimensions are refused as input.
     */
    static Optional<float[]> fuse(ModelVersion model, List<float[]> members) {
        try {
            return TemplateFusion.of(members).direction();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new GalleryInputException("the booking template of " + model + ": " + e.getMessage());
        }
    }

    public static boolean perMedium(GalleryKind kind) {
        return !kind.fusesSubject();
    }
}
