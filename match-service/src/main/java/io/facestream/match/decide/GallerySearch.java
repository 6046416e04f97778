package io.facestream.match.decide;

import io.facestream.core.events.Match;
import java.util.List;
import java.util.OptionalInt;

/**
 * What identification needs from a gallery: top-k by cosine within one gallery and one model version, and the
 * gallery's open-set threshold for that model. Implemented over the gallery-index replica.
 */
public interface GallerySearch {

    /**
     * @param gallery   gallery name
     * @param model     {@code name:version} of the query's embedding space
     * @param unitQuery the query at unit length
     * @param k         how many candidates at most
     * @return candidates best first; empty when the gallery is empty, unknown, or has no vectors of this model
     */
    List<Match.Candidate> search(String gallery, String model, float[] unitQuery, int k);

    /** The gallery's threshold for this model: calibrated, set by hand, or the configured default. */
    OpenSetThreshold threshold(String gallery, String model);

    /** How many values the stored vectors of this model ({@code name:version}) have, if any gallery holds some. */
    default OptionalInt dimension(String model) {
        return OptionalInt.empty();
    }
}
