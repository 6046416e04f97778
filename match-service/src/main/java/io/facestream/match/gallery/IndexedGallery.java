package io.facestream.match.gallery;

import io.facestream.core.events.Match;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchTuning;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.OpenSetThreshold;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link GallerySearch} over this process's gallery-index replica. */
public final class IndexedGallery implements GallerySearch {
    private static final Logger LOG = LoggerFactory.getLogger(IndexedGallery.class);
    private final GalleryIndex index;
    private final GallerySearcher searcher;
    private final double defaultThreshold;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public IndexedGallery(GalleryIndex index, SearchTuning tuning, double defaultThreshold) {
        this.index = index;
        this.searcher = new GallerySearcher(index, tuning);
        this.defaultThreshold = defaultThreshold;
    }

    public GalleryIndex index() {
        return index;
    }

    @Override
    public List<Match.Candidate> search(String gallery, String model, float[] unitQuery, int k) {
        ModelVersion mv = ModelVersion.parse(model);
        // A gallery that does not exist (yet) or holds no vector of this model has no candidates: the track is
        // UNKNOWN, which is the truth, rather than a failed topology.
        if (index.kindOf(gallery).isEmpty()
                || index.dimension(mv).isEmpty()
                || index.dimension(mv).getAsInt() != unitQuery.length) {
            return List.of();
        }
        return searcher.search(SearchRequest.of(gallery, mv, unitQuery, k)).hits().stream()
                .map(IndexedGallery::candidate)
                .toList();
    }

    @Override
    public OptionalInt dimension(String model) {
        try {
            return index.dimension(ModelVersion.parse(model));
        } catch (IllegalArgumentException malformed) {
            return OptionalInt.empty();
        }
    }

    static Match.Candidate candidate(Hit h) {
        String media = h.mediaId() == null || h.mediaId().isEmpty() ? null : h.subjectId() + "/" + h.mediaId();
        return new Match.Candidate(h.subjectId(), media, h.score());
    }

    /**
     * The gallery's threshold for the model. One that cannot be read (written to the gallery topic by something other
     * than this API: not a number, NaN, outside [-1, 1]) is not in effect: the default applies, with a warning per
     * distinct value, rather than failing every decision of the gallery.
     */
    @Override
    public OpenSetThreshold threshold(String gallery, String model) {
        Optional<GalleryDefinition> definition = definition(gallery);
        try {
            return definition
                    .flatMap(d -> ThresholdMetadata.read(d.metadata(), model))
                    .orElseGet(() -> OpenSetThreshold.fallback(defaultThreshold));
        } catch (IllegalArgumentException unreadable) {
            if (warned.add(gallery + " " + unreadable.getMessage())) {
                LOG.warn(
                        "gallery '{}': {}; decisions of {} use match.default-threshold {} until a threshold is set "
                                + "(PUT /api/galleries/{}/threshold)",
                        gallery,
                        unreadable.getMessage(),
                        model,
                        defaultThreshold,
                        gallery);
            }
            return OpenSetThreshold.fallback(defaultThreshold);
        }
    }

    /** The gallery's definition as replicated (kind and metadata, thresholds included). */
    public Optional<GalleryDefinition> definition(String gallery) {
        return index.definition(gallery);
    }
}
