package io.facestream.match.topology;

import io.facestream.gallery.model.ModelVersion;
import java.util.Optional;

/**
 * Where the match service learns how many values a model version's features have, so that a face record of another
 * length is refused before it reaches a track: the model's manifest in the local store, then the gallery's vectors.
 * (The camera's open tracks of that version are the last resort; the validator reads them itself.)
 */
@FunctionalInterface
public interface ModelDimensions {

    /**
     * A model version's feature length and where that is known from.
     *
     * @param size   the number of feature values; 0 when the source says the model produces no features (a detector)
     * @param source where it is known from, for the refusal message ("model manifest", "gallery vectors")
     */
    record Known(int size, String source) {}

    Optional<Known> of(ModelVersion model);

    static ModelDimensions none() {
        return m -> Optional.empty();
    }

    /** This source, else {@code next}. */
    default ModelDimensions or(ModelDimensions next) {
        return m -> of(m).or(() -> next.of(m));
    }
}
