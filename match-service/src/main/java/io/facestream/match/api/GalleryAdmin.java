package io.facestream.match.api;

import io.facestream.gallery.Gallery;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.reembed.ModelCoverage;
import io.facestream.match.api.faces.ReadFace;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.gallery.IndexedGallery;
import io.facestream.match.gallery.ThresholdMetadata;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.apache.lucene.search.ScoreDoc;

/**
 * Gallery changes made through the API. Every change is published to the gallery topic (the source of truth) and
 * the call returns only once this process's replica has applied it, so a client that enrols and then searches sees
 * its subject. Input is validated completely before the first record is published.
 */
public final class GalleryAdmin {
    /** A holder of face data or decisions about a subject that an erasure must reach; {@code subjectId} null: a gallery. */
    @FunctionalInterface
    public interface Eraser {
        void erase(String gallery, String subjectId);
    }

    private final Gallery writes;
    private final IndexedGallery gallery;
    /** Run before the gallery's tombstones, in order; a failure stops the delete, which can then be retried. */
    private final List<Eraser> first = new java.util.ArrayList<>();
    /** Run after the tombstones are published, each even when the publish or an eraser before it failed. */
    private final List<Eraser> after = new java.util.ArrayList<>();

    /**
     * @param writes  publishes to the gallery topic and waits for this process's replica
     * @param gallery the same replica's index, for reads and searches
     */
    public GalleryAdmin(Gallery writes, IndexedGallery gallery) {
        this.writes = writes;
        this.gallery = gallery;
    }

    /**
     * Something a delete erases before the gallery records: the operator feedback about the subject (tombstoned on
     * {@code facestream.feedback}), the corrections' negative exemplars. A failure leaves the subject in place.
     */
    public GalleryAdmin erasingFirst(Eraser eraser) {
        first.add(eraser);
        return this;
    }

    /**
     * Something a delete erases once the gallery records are tombstoned: the face data of the decisions naming the
     * subject in the recent matches and the match history, the "seen elsewhere" tracks naming it.
     */
    public GalleryAdmin erasingAfter(Eraser eraser) {
        after.add(eraser);
        return this;
    }

    public IndexedGallery gallery() {
        return gallery;
    }

    public List<Map<String, Object>> list() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : new java.util.TreeSet<>(gallery.index().galleryNames())) {
            gallery.definition(name).ifPresent(d -> {
                Map<String, Object> g = describe(d);
                g.put("models", models(name));
                List<Map<String, Object>> thresholds = new ArrayList<>();
                ThresholdMetadata.all(d.metadata())
                        .forEach((model, t) -> thresholds.add(ApiRouter.thresholdJson(name, model, t)));
                g.put("thresholds", thresholds);
                out.add(g);
            });
        }
        return out;
    }

    private static Map<String, Object> describe(GalleryDefinition d) {
        Map<String, Object> g = new LinkedHashMap<>();
        g.put("name", d.name());
        g.put("kind", d.kind().name());
        g.put("metadata", d.metadata());
        return g;
    }

    /** Which model versions the gallery has vectors of: during a roll-out the new one fills up to complete. */
    private List<Map<String, Object>> models(String name) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelCoverage c : writes.reembed().coverage(name)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("model", c.model().toString());
            m.put("embedded", c.embedded());
            m.put("media", c.media());
            m.put("complete", c.complete());
            out.add(m);
        }
        return out;
    }

    public Map<String, Object> create(String name, String kind, Runnable beforePublish) {
        GalleryKind k;
        try {
            k = GalleryKind.valueOf(kind == null ? "SINGLE" : kind.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("kind '" + kind + "' is not one of SINGLE, BOOKING, SURVEILLANCE");
        }
        if (gallery.index().kindOf(name).isPresent()) {
            throw new ApiError(409, "gallery '" + name + "' already exists");
        }
        GalleryDefinition d = new GalleryDefinition(name, k, Map.of());
        publishAndWait(List.of(new GalleryChange.DefineGallery(d)), beforePublish);
        return describe(d);
    }

    /** Deletes a gallery with every subject and medium in it: see {@link #deleteSubject} for what is erased. */
    public void delete(String name, Runnable beforePublish) {
        requireGallery(name);
        erase(new GalleryKey.OfGallery(name), name, null, beforePublish);
    }

    public OpenSetThreshold setThreshold(String name, String model, OpenSetThreshold t, Runnable beforePublish) {
        GalleryDefinition d =
                gallery.definition(name).orElseThrow(() -> ApiError.notFound("gallery '" + name + "' does not exist"));
        publishAndWait(
                List.of(new GalleryChange.DefineGallery(ThresholdMetadata.withThreshold(d, model, t))), beforePublish);
        return t;
    }

    /** Publishes a threshold derived from the calibrated threshold {@code base} (kept beside it in the metadata). */
    public OpenSetThreshold setCorrectedThreshold(
            String name, String model, OpenSetThreshold t, double base, Runnable beforePublish) {
        GalleryDefinition d =
                gallery.definition(name).orElseThrow(() -> ApiError.notFound("gallery '" + name + "' does not exist"));
        publishAndWait(
                List.of(new GalleryChange.DefineGallery(ThresholdMetadata.withCorrectedThreshold(d, model, t, base))),
                beforePublish);
        return t;
    }

    /**
     * Adds a track's faces as one new medium of an existing subject of a BOOKING gallery (its template fuses every
     * medium): a track enrolled into an existing booking, or a confirmed track. The medium keeps every crop, and its
     * vector is the sum of their raw features, as re-embedding computes a medium of several crops.
     *
     * @param face the model, the summed raw features and (as {@code cropJpeg}) the first crop
     * @param crops every crop of the medium
     */
    public Map<String, Object> addMedium(
            String galleryName,
            String subjectId,
            String mediaId,
            ReadFace face,
            List<byte[]> crops,
            Runnable beforePublish) {
        if (requireGallery(galleryName) != GalleryKind.BOOKING) {
            throw ApiError.badRequest("gallery '" + galleryName + "' is not BOOKING: only a booking adds media");
        }
        if (!gallery.index().hasSubject(new GalleryKey.OfSubject(galleryName, subjectId))) {
            throw ApiError.notFound("subject '" + subjectId + "' is not enrolled in gallery '" + galleryName + "'");
        }
        Medium m;
        try {
            Embedding e = new Embedding(ModelVersion.parse(face.model()), face.raw());
            gallery.index().requireDimension(e, "subject " + subjectId);
            m = new Medium(
                    galleryName, subjectId, mediaId, List.of(e), crops, Map.of(), System.currentTimeMillis() * 1000);
        } catch (GalleryInputException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        if (gallery.index().medium(m.key()).isPresent()) {
            throw new ApiError(409, "medium " + m.key().text() + " already exists");
        }
        publishAndWait(List.of(new GalleryChange.PutMedium(m)), beforePublish);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("gallery", galleryName);
        out.put("subject_id", subjectId);
        out.put("media", List.of(mediaId));
        return out;
    }

    /** Whether the gallery has this subject. */
    public boolean hasSubject(String galleryName, String subjectId) {
        try {
            return gallery.index().hasSubject(new GalleryKey.OfSubject(galleryName, subjectId));
        } catch (RuntimeException notAName) {
            throw ApiError.badRequest(notAName.getMessage());
        }
    }

    /**
     * Enrols a subject from faces already read from the uploads: SINGLE galleries take exactly one image, BOOKING
     * galleries take one or more (fused into one template by the index).
     */
    public Map<String, Object> enrol(
            String galleryName, String subjectId, String displayName, List<ReadFace> faces, Runnable beforePublish) {
        GalleryKind kind = requireGallery(galleryName);
        if (faces.isEmpty()) {
            throw ApiError.badRequest("enrolment needs at least one image (form field 'image')");
        }
        if (kind == GalleryKind.SINGLE && faces.size() != 1) {
            throw ApiError.badRequest(
                    "gallery '" + galleryName + "' is SINGLE: enrol exactly one image, got " + faces.size());
        }
        if (kind == GalleryKind.SURVEILLANCE) {
            throw ApiError.badRequest(
                    "gallery '" + galleryName + "' is SURVEILLANCE: it is filled from tracks, not uploads");
        }
        Subject subject;
        List<Medium> media = new ArrayList<>();
        List<String> mediaIds = new ArrayList<>();
        long now = System.currentTimeMillis() * 1000;
        try {
            subject = new Subject(galleryName, subjectId, displayName, Map.of());
            for (int i = 0; i < faces.size(); i++) {
                ReadFace f = faces.get(i);
                String mediaId = (kind == GalleryKind.SINGLE ? "still-" : "item-") + (i + 1);
                Embedding e = new Embedding(ModelVersion.parse(f.model()), f.raw());
                gallery.index().requireDimension(e, "subject " + subjectId);
                media.add(
                        new Medium(galleryName, subjectId, mediaId, List.of(e), List.of(f.cropJpeg()), Map.of(), now));
                mediaIds.add(mediaId);
            }
        } catch (GalleryInputException e) {
            throw ApiError.badRequest(e.getMessage());
        }
        // a re-enrolment replaces the subject's media in one transaction: subject and new media first, then
        // tombstones for the old media not replaced, so no replica ever sees the subject missing or half-changed
        beforePublish.run(); // the audit line, written and synced, or nothing is published
        try {
            writes.enrolWithMedia(subject, media);
        } catch (GalleryInputException e) {
            throw ApiError.badRequest(e.getMessage());
        } catch (TimeoutException e) {
            throw new ApiError(
                    503, "the change was published but this replica did not apply it within " + writes.applyTimeout());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("gallery", galleryName);
        out.put("subject_id", subjectId);
        out.put("display_name", displayName);
        out.put("media", mediaIds);
        return out;
    }

    public void deleteSubject(String galleryName, String subjectId, Runnable beforePublish) {
        requireGallery(galleryName);
        GalleryKey.OfSubject key = new GalleryKey.OfSubject(galleryName, subjectId);
        if (!gallery.index().hasSubject(key)) {
            throw ApiError.notFound("subject '" + subjectId + "' is not enrolled in gallery '" + galleryName + "'");
        }
        erase(key, galleryName, subjectId, beforePublish);
    }

    /**
     * Erasure (docs/privacy.md): after the audit line (who, when, which subject: never a biometric), the feedback about
     * the subject is tombstoned, then every gallery record under the key — the subject and each medium with its vectors
     * and crops — in one transaction ({@link Gallery#removal}), and the decisions naming the subject lose their face
     * data in the match history. Replicas merge the deleted documents out of their index files
     * ({@code gallery.replica.merge-deletes-after}); a segment roll marker lets compaction drop the records.
     */
    private void erase(GalleryKey key, String galleryName, String subjectId, Runnable beforePublish) {
        List<GalleryChange> tombstones;
        try {
            tombstones = writes.removal(key);
        } catch (GalleryInputException e) {
            throw ApiError.notFound(e.getMessage());
        }
        beforePublish.run();
        for (Eraser e : first) {
            e.erase(galleryName, subjectId);
        }
        RuntimeException failure = null;
        try {
            writes.publishAll(tombstones);
        } catch (TimeoutException e) {
            failure = new ApiError(
                    503, "the change was published but this replica did not apply it within " + writes.applyTimeout());
        } catch (RuntimeException e) {
            failure = e;
        }
        // the tombstones may be out even when the wait failed: every holder erases, and one failing stops no other
        for (Eraser e : after) {
            try {
                e.erase(galleryName, subjectId);
            } catch (RuntimeException x) {
                if (failure == null) {
                    failure = x;
                } else {
                    failure.addSuppressed(x);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    public List<Map<String, Object>> subjects(String galleryName) {
        requireGallery(galleryName);
        Map<String, List<String>> media = new TreeMap<>();
        gallery.index().withSearcher(s -> {
            try {
                for (ScoreDoc sd : s.search(gallery.index().layout().media(galleryName), Integer.MAX_VALUE).scoreDocs) {
                    Medium m =
                            gallery.index().layout().readMedium(s.storedFields().document(sd.doc), List.of());
                    media.computeIfAbsent(m.subjectId(), k -> new ArrayList<>()).add(m.mediaId());
                }
                return null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<Map<String, Object>> out = new ArrayList<>();
        media.forEach((id, ms) -> {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("subject_id", id);
            gallery.index()
                    .subject(new GalleryKey.OfSubject(galleryName, id))
                    .ifPresent(x -> s.put("display_name", x.displayName()));
            s.put("media", ms.stream().sorted().toList());
            out.add(s);
        });
        return out;
    }

    public byte[] crop(String galleryName, String subjectId, String mediaId) {
        Medium m = gallery.index()
                .medium(new GalleryKey.OfMedium(galleryName, subjectId, mediaId))
                .orElseThrow(() -> ApiError.notFound("no medium " + galleryName + "/" + subjectId + "/" + mediaId));
        if (m.crops().isEmpty()) {
            throw ApiError.notFound("medium " + galleryName + "/" + subjectId + "/" + mediaId + " has no stored crop");
        }
        return m.crops().get(0);
    }

    public GalleryKind requireGallery(String name) {
        return gallery.index()
                .kindOf(name)
                .orElseThrow(() -> ApiError.notFound("gallery '" + name + "' does not exist"));
    }

    /**
     * Publishes once {@code beforePublish} has returned (it writes and syncs the change's audit line, and throws when it
     * cannot: then nothing is published).
     */
    private void publishAndWait(List<GalleryChange> changes, Runnable beforePublish) {
        beforePublish.run();
        try {
            writes.publishAll(changes);
        } catch (TimeoutException e) {
            throw new ApiError(
                    503, "the change was published but this replica did not apply it within " + writes.applyTimeout());
        }
    }
}
