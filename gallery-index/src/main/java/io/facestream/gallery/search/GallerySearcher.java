package io.facestream.gallery.search;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.IndexLayout;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.util.BytesRef;

/**
 * Top-k cosine search over a {@link GalleryIndex}: validates the request, turns gallery and subject restrictions
 * into a Lucene filter, picks EXACT or HNSW, and re-ranks HNSW candidates with exact float scores (the graph may
 * score with quantised vectors, and its order among near-ties is approximate).
 */
public final class GallerySearcher {
    private final GalleryIndex index;
    private final SearchTuning tuning;

    public GallerySearcher(GalleryIndex index, SearchTuning tuning) {
        this.index = index;
        this.tuning = tuning;
    }

    public SearchResult search(SearchRequest request) {
        for (String g : request.galleries()) {
            if (index.kindOf(g).isEmpty()) {
                throw new GalleryInputException("search: gallery '" + g + "' does not exist (known: "
                        + new TreeSet<>(index.galleryNames()) + ")");
            }
        }
        Embedding probe = new Embedding(request.model(), request.probe()); // refuses NaN/Inf and zero probes
        OptionalInt dim = index.dimension(request.model());
        if (dim.isEmpty()) {
            throw new GalleryInputException("search: the gallery index holds no vectors of model " + request.model());
        }
        if (dim.getAsInt() != probe.dimension()) {
            throw new GalleryInputException("search: probe has " + probe.dimension() + " dimensions, model "
                    + request.model() + " vectors have " + dim.getAsInt());
        }
        float[] unit = probe.unit();
        String field = request.model().vectorField();
        return index.withSearcher(s -> {
            try {
                return run(s, request, field, unit);
            } catch (IOException e) {
                throw new UncheckedIOException("search failed on " + index.directory(), e);
            }
        });
    }

    private SearchResult run(IndexSearcher s, SearchRequest request, String field, float[] unit) throws IOException {
        IndexLayout layout = index.layout();
        Query filter = filter(s, request, layout);
        if (filter == NOTHING) {
            return new SearchResult(List.of(), request.mode() == SearchMode.AUTO ? SearchMode.EXACT : request.mode());
        }
        SearchMode mode = request.mode();
        if (mode == SearchMode.AUTO) {
            mode = templateCount(s, field, filter) <= tuning.exactThreshold() ? SearchMode.EXACT : SearchMode.HNSW;
        }
        TopK.ScoredDoc[] top;
        if (mode == SearchMode.EXACT) {
            top = ExactScan.topK(s, field, unit, filter, request.k(), tuning.exactParallelism());
        } else {
            int candidates =
                    Math.max(request.k(), request.candidates() > 0 ? request.candidates() : tuning.candidates());
            TopDocs approx = s.search(new KnnFloatVectorQuery(field, unit, candidates, filter), candidates);
            TopK rerank = new TopK(request.k());
            for (ScoreDoc sd : approx.scoreDocs) {
                rerank.offer(sd.doc, ExactScan.score(s, field, unit, sd.doc));
            }
            top = rerank.sorted();
        }
        List<Hit> hits = new ArrayList<>(top.length);
        for (TopK.ScoredDoc d : top) {
            Document doc = s.storedFields().document(d.doc());
            GalleryKey.OfSubject subject = layout.subjectOf(doc);
            hits.add(new Hit(subject.gallery(), subject.subject(), layout.mediaIdOf(doc), d.score()));
        }
        return new SearchResult(hits, mode);
    }

    private static final Query NOTHING = new org.apache.lucene.search.MatchNoDocsQuery("no subject passes the filter");

    /**
     * The documents a search may return, or null when that is every vector in the field: an unfiltered search over
     * all galleries needs no filter, and a filter costs HNSW a bitset per query.
     */
    private Query filter(IndexSearcher s, SearchRequest request, IndexLayout layout) throws IOException {
        boolean allGalleries = request.galleries().containsAll(index.galleryNames());
        boolean bySubject =
                !request.subjectMetadata().isEmpty() || !request.subjectIds().isEmpty();
        if (allGalleries && !bySubject) {
            return null;
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder().add(layout.templatesOf(request.galleries()), Occur.FILTER);
        if (bySubject) {
            Set<String> keys = subjectKeys(s, request, layout);
            if (keys.isEmpty()) {
                return NOTHING;
            }
            b.add(
                    new TermInSetQuery(
                            layout.subjectKeyField(),
                            keys.stream().map(BytesRef::new).toList()),
                    Occur.FILTER);
        }
        return b.build();
    }

    private Set<String> subjectKeys(IndexSearcher s, SearchRequest request, IndexLayout layout) throws IOException {
        Set<String> byId = new HashSet<>();
        for (String g : request.galleries()) {
            for (String id : request.subjectIds()) {
                byId.add(g + "/" + id);
            }
        }
        if (request.subjectMetadata().isEmpty()) {
            return byId;
        }
        Set<String> keys = new HashSet<>();
        TopDocs matching =
                s.search(layout.subjectsMatching(request.galleries(), request.subjectMetadata()), Integer.MAX_VALUE);
        for (ScoreDoc sd : matching.scoreDocs) {
            String key = layout.subjectOf(s.storedFields().document(sd.doc)).text();
            if (request.subjectIds().isEmpty() || byId.contains(key)) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static long templateCount(IndexSearcher s, String field, Query filter) throws IOException {
        if (filter == null) {
            long n = 0;
            for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
                FloatVectorValues v = leaf.reader().getFloatVectorValues(field);
                n += v == null ? 0 : v.size();
            }
            return n;
        }
        return s.count(new BooleanQuery.Builder()
                .add(filter, Occur.FILTER)
                .add(new FieldExistsQuery(field), Occur.FILTER)
                .build());
    }
}
