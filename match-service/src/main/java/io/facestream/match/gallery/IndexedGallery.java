package io.facestream.match.gallery;

import io.facestream.core.events.Match;
import io.facestream.core.metrics.Metrics;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.Hit;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchTuning;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.OpenSetThreshold;
import io.micrometer.core.instrument.Counter;
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
    private final RecentSearches recent;
    private final java.util.concurrent.atomic.AtomicLong repeated = new java.util.concurrent.atomic.AtomicLong();
    private final Counter repeats = Counter.builder("facestream.match.searches.repeated")
            .description("gallery searches answered from an identical search on the same index content (the FINAL of"
                    + " a track whose template has not changed since its PROVISIONAL)")
            .register(Metrics.registry());

    public IndexedGallery(GalleryIndex index, SearchTuning tuning, double defaultThreshold) {
        this(index, tuning, defaultThreshold, RecentSearches.SIZE);
    }

    /** @param recentSearches searches remembered for a repeat ({@link RecentSearches}); 0 = none */
    IndexedGallery(GalleryIndex index, SearchTuning tuning, double defaultThreshold, int recentSearches) {
        this.recent = new RecentSearches(recentSearches);
        this.index = index;
        this.searcher = new GallerySearcher(index, tuning);
        this.defaultThreshold = defaultThreshold;
    }

    /** Searches answered from an identical one on the same index content, since this instance started. */
    public long repeatedSearches() {
        return repeated.get();
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
        Object content = index.searchedContent();
        List<Match.Candidate> known = recent.find(content, gallery, model, unitQuery, k);
        if (known != null) {
            repeats.increment();
            repeated.incrementAndGet();
            return known;
        }
        List<Match.Candidate> found = searcher.search(SearchRequest.of(gallery, mv, unitQuery, k)).hits().stream()
                .map(IndexedGallery::candidate)
                .toList();
        if (index.searchedContent() == content) { // no refresh in between: the search saw exactly that content
            recent.add(content, gallery, model, unitQuery, k, found);
        }
        return found;
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
