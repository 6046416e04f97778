package io.facestream.gallery.reembed;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.IndexLayout;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.ModelVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.ScoreDoc;

/**
 * What a new model version still has to embed. A model change changes the embedding space, so a gallery can only be
 * searched with a new version once every medium has a vector of it; this lists the crops still to embed and reports
 * per gallery which versions are complete.
 */
public final class ReembedCatalog {
    private final GalleryIndex index;

    public ReembedCatalog(GalleryIndex index) {
        this.index = index;
    }

    /** Media of a gallery without a vector of {@code model}, each with its stored crop files. */
    public List<PendingMedium> pending(String gallery, ModelVersion model) {
        requireGallery(gallery);
        IndexLayout layout = index.layout();
        return index.withSearcher(s -> {
            try {
                var q = new BooleanQuery.Builder()
                        .add(layout.media(gallery), Occur.FILTER)
                        .add(layout.mediaWith(gallery, model), Occur.MUST_NOT)
                        .build();
                List<PendingMedium> out = new ArrayList<>();
                for (ScoreDoc sd : s.search(q, Integer.MAX_VALUE).scoreDocs) {
                    GalleryKey.OfMedium key = (GalleryKey.OfMedium)
                            layout.keyOf(s.storedFields().document(sd.doc)).orElseThrow();
                    out.add(new PendingMedium(key, index.crops().list(key)));
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** For each model version with at least one vector in the gallery: how many media have it. */
    public List<ModelCoverage> coverage(String gallery) {
        requireGallery(gallery);
        IndexLayout layout = index.layout();
        return index.withSearcher(s -> {
            try {
                long media = s.count(layout.media(gallery));
                List<ModelCoverage> out = new ArrayList<>();
                for (ModelVersion model : index.models()) {
                    long with = s.count(layout.mediaWith(gallery, model));
                    if (with > 0) {
                        out.add(new ModelCoverage(gallery, model, with, media));
                    }
                }
                return out;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private void requireGallery(String gallery) {
        if (index.kindOf(gallery).isEmpty()) {
            throw new GalleryInputException("gallery '" + gallery + "' does not exist");
        }
    }
}
