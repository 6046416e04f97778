package io.facestream.gallery.template;

import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which templates a subject's media make under a gallery kind: one per medium (SINGLE, SURVEILLANCE) or one fused
 * template per model version over all media (BOOKING). Media that lack a model version simply do not contribute to
 * that version's template until they are re-embedded.
 */
public final class TemplatePlan {
    private TemplatePlan() {}

    /** One template: the media it stands for (one, or all of a booking subject) and a unit vector per model. */
    public record Template(String mediaId, Map<ModelVersion, float[]> vectors) {}

    public static Template forMedium(Medium m) {
        Map<ModelVersion, float[]> vectors = new LinkedHashMap<>();
        for (Embedding e : m.embeddings()) {
            vectors.put(e.model(), TemplateFusion.single(e));
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
            List<Embedding> members = new ArrayList<>();
            media.forEach(m -> m.embedding(model).ifPresent(members::add));
            try {
                vectors.put(model, TemplateFusion.fuse(members));
            } catch (GalleryInputException cancelledOut) {
                // no template of this model until the subject's media change
            }
        }
        return new Template("", vectors);
    }

    public static boolean perMedium(GalleryKind kind) {
        return !kind.fusesSubject();
    }
}
