package io.facestream.gallery;

import io.facestream.core.kafka.KafkaConnection;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryInputException;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.reembed.ReembedCatalog;
import io.facestream.gallery.replication.GalleryReplica;
import io.facestream.gallery.replication.GalleryWriter;
import io.facestream.gallery.search.GallerySearcher;
import io.facestream.gallery.search.SearchRequest;
import io.facestream.gallery.search.SearchResult;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

/**
 * A face gallery replica: the entry point for the match service and tools.
 *
 * <p>Writes go through the compacted {@code facestream.gallery} topic: each write method validates its input against
 * this replica, publishes, then waits until this replica has applied the record, so a write is searchable when the
 * call returns (read-your-writes), and every other replica applies the same record. Searches run on near-real-time
 * Lucene searchers and never wait for writes. Thread-safe.
 *
 * <pre>{@code
 * try (Gallery g = Gallery.open(GallerySettings.fromConfig(config), bootstrap)) {
 *     g.createGallery("watchlist", GalleryKind.BOOKING, Map.of());
 *     g.enrol(new Subject("watchlist", "s-17", "A. Person", Map.of("site", "north")));
 *     g.addMedium(new Medium("watchlist", "s-17", "mugshot-1", List.of(new Embedding(model, raw)), List.of(jpeg), Map.of(), nowUs));
 *     List<Hit> top = g.search(SearchRequest.of("watchlist", model, probe, 10)).hits();
 * }
 * }</pre>
 */
public final class Gallery implements AutoCloseable {
    private final GallerySettings settings;
    private final GalleryIndex index;
    private final GalleryReplica replica;
    private final GalleryWriter writer;
    private final GallerySearcher searcher;
    private final ReembedCatalog reembed;
    private final io.facestream.core.kafka.SegmentRoll segmentRoll;

    private Gallery(
            GallerySettings settings,
            GalleryIndex index,
            GalleryReplica replica,
            GalleryWriter writer,
            io.facestream.core.kafka.SegmentRoll segmentRoll) {
        this.settings = settings;
        this.segmentRoll = segmentRoll;
        this.index = index;
        this.replica = replica;
        this.writer = writer;
        this.searcher = new GallerySearcher(index, settings.search());
        this.reembed = new ReembedCatalog(index);
    }

    /**
     * Opens (or creates) the replica in {@code settings.indexDir()}, resumes the topic from the index's last commit and
     * returns once it has caught up with the topic's end: a new instance serves only after it has the whole gallery.
     */
    public static Gallery open(GallerySettings settings, String bootstrap) {
        return open(settings, KafkaConnection.of(bootstrap));
    }

    /** The same, reading and writing the topic through {@code kafka} (its client properties: security, credentials). */
    public static Gallery open(GallerySettings settings, KafkaConnection kafka) {
        GalleryIndex index = GalleryIndex.open(settings.indexDir(), settings.hnsw(), settings.ramBufferMb());
        GalleryReplica replica = null;
        try {
            replica = new GalleryReplica(index, kafka, settings.replica()).start();
            replica.catchUp(settings.applyTimeout().multipliedBy(10));
            GalleryWriter writer = new GalleryWriter(kafka, settings.replica().topic(), "gallery-" + UUID.randomUUID());
            return new Gallery(settings, index, replica, writer, new io.facestream.core.kafka.SegmentRoll(kafka));
        } catch (TimeoutException | RuntimeException e) {
            if (replica != null) {
                replica.close();
            }
            index.close();
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }

    // ---- writes (through the topic) ----

    /** Creates a gallery, or updates its metadata; its kind cannot change. */
    public long createGallery(String name, GalleryKind kind, Map<String, String> metadata) {
        GalleryDefinition g = new GalleryDefinition(name, kind, metadata);
        index.kindOf(name).filter(k -> k != kind).ifPresent(k -> {
            throw new GalleryInputException("gallery '" + name + "' is " + k + "; its kind cannot change to " + kind);
        });
        return publish(new GalleryChange.DefineGallery(g));
    }

    /** Enrols a subject, or updates its name and metadata. */
    public long enrol(Subject subject) {
        requireGallery(subject.gallery(), "subject " + subject.key().text());
        return publish(new GalleryChange.PutSubject(subject));
    }

    /** Adds a new medium; a media id already used by the subject is refused (use {@link #replaceMedium}). */
    public long addMedium(Medium medium) {
        checkMedium(medium);
        if (index.medium(medium.key()).isPresent()) {
            throw new GalleryInputException("medium " + medium.key().text() + " already exists: media ids are unique "
                    + "per subject (replaceMedium changes an existing medium)");
        }
        return publish(new GalleryChange.PutMedium(medium));
    }

    /** Replaces an existing medium as a whole. */
    public long replaceMedium(Medium medium) {
        checkMedium(medium);
        if (index.medium(medium.key()).isEmpty()) {
            throw new GalleryInputException("medium " + medium.key().text() + " does not exist (addMedium creates it)");
        }
        return publish(new GalleryChange.PutMedium(medium));
    }

    /** Adds (or replaces) one model version's vector of a stored medium: how re-embedding fills in a new model. */
    public long addEmbedding(GalleryKey.OfMedium key, Embedding embedding) {
        Medium stored = index.medium(key)
                .orElseThrow(() -> new GalleryInputException("medium " + key.text() + " does not exist"));
        Medium next = stored.withEmbedding(embedding);
        checkMedium(next);
        return publish(new GalleryChange.PutMedium(next));
    }

    /**
     * Deletes a gallery, subject or medium with everything below it: vectors, templates, stored fields, crops.
     * Every record below gets its own tombstone first, so that compaction drops them from the topic too (a tombstone
     * removes only its own key from a compacted log; replicas cascade anyway).
     */
    public long delete(GalleryKey key) {
        return publishAndAwait(removal(key), key.text());
    }

    /**
     * The tombstones that delete {@code key} with everything below it, deepest first and {@code key} last: one per
     * record of the topic under it (media of a subject; subjects and media of a gallery), found in this replica. A
     * compacted topic drops only the keys that have tombstones, so deleting a subject by its own key alone would keep
     * its media records — vectors and crops — in the topic for ever (replicas cascade either way). Publish them
     * together ({@link #publishAll}: one transaction).
     *
     * @throws GalleryInputException when {@code key} does not exist in this replica
     */
    public List<GalleryChange> removal(GalleryKey key) {
        boolean exists = switch (key) {
            case GalleryKey.OfGallery g -> index.kindOf(g.gallery()).isPresent();
            case GalleryKey.OfSubject s -> index.hasSubject(s);
            case GalleryKey.OfMedium m -> index.medium(m).isPresent();
        };
        if (!exists) {
            throw new GalleryInputException("cannot delete " + key.text() + ": it does not exist");
        }
        List<GalleryChange> tombstones = new java.util.ArrayList<>();
        for (GalleryKey below : index.keysBelow(key)) {
            tombstones.add(new GalleryChange.Remove(below));
        }
        tombstones.add(new GalleryChange.Remove(key));
        return List.copyOf(tombstones);
    }

    /**
     * Enrols a subject with exactly these media, replacing what it had (a re-enrolment), as one transaction: the
     * subject record, each medium (an existing media id is replaced as a whole), then a tombstone for every medium it
     * had that is not among them. Every replica applies all of it or none of it, so a failure in between cannot drop
     * the subject or leave it with a mix of old and new media; and since the subject is never removed, no replica
     * shows it missing while it applies the change. BOOKING templates are re-fused from the new media.
     */
    public long enrolWithMedia(Subject subject, List<Medium> media) throws TimeoutException {
        requireGallery(subject.gallery(), "subject " + subject.key().text());
        List<GalleryChange> changes = new java.util.ArrayList<>();
        changes.add(new GalleryChange.PutSubject(subject));
        java.util.Set<GalleryKey> kept = new java.util.HashSet<>();
        for (Medium m : media) {
            if (!m.key().parent().equals(subject.key())) {
                throw new GalleryInputException("medium " + m.key().text() + " does not belong to subject "
                        + subject.key().text());
            }
            String what = "medium " + m.key().text();
            m.embeddings().forEach(e -> index.requireDimension(e, what));
            changes.add(new GalleryChange.PutMedium(m));
            kept.add(m.key());
        }
        if (index.hasSubject(subject.key())) {
            for (GalleryKey old : index.keysBelow(subject.key())) {
                if (old instanceof GalleryKey.OfMedium && !kept.contains(old)) {
                    changes.add(new GalleryChange.Remove(old));
                }
            }
        }
        return publishAll(changes);
    }

    /**
     * Publishes changes the caller has already validated (the API checks a whole request first), in order, as one
     * transaction (all of them or none reach the replicas), and waits until this replica has applied the last one.
     *
     * @throws TimeoutException when the replica did not apply them within the apply timeout
     */
    public long publishAll(List<GalleryChange> changes) throws TimeoutException {
        if (changes.isEmpty()) {
            throw new IllegalArgumentException("no gallery changes to publish");
        }
        long last = writer.publishAll(changes).getLast();
        if (changes.stream().anyMatch(c -> c instanceof GalleryChange.Remove)) {
            // compaction cleans closed segments only: make sure the segment with these tombstones gets closed
            segmentRoll.afterDeletes(settings.replica().topic());
        }
        replica.awaitApplied(last, settings.applyTimeout());
        return last;
    }

    private long publishAndAwait(List<GalleryChange> changes, String what) {
        try {
            return publishAll(changes);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    what + " was published but is not yet searchable here: " + e.getMessage(), e);
        }
    }

    /** How long a write waits for this replica to apply it. */
    public java.time.Duration applyTimeout() {
        return settings.applyTimeout();
    }

    private void checkMedium(Medium m) {
        String what = "medium " + m.key().text();
        requireGallery(m.gallery(), what);
        if (!index.hasSubject(m.key().parent())) {
            throw new GalleryInputException(
                    what + ": subject '" + m.subjectId() + "' is not enrolled in gallery '" + m.gallery() + "'");
        }
        m.embeddings().forEach(e -> index.requireDimension(e, what));
    }

    private void requireGallery(String gallery, String what) {
        if (index.kindOf(gallery).isEmpty()) {
            throw new GalleryInputException(what + ": gallery '" + gallery + "' does not exist (known: "
                    + new java.util.TreeSet<>(index.galleryNames()) + ")");
        }
    }

    private long publish(GalleryChange change) {
        long offset = writer.publish(change);
        try {
            replica.awaitApplied(offset, settings.applyTimeout());
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    change.key().text() + " was published at offset " + offset + " but is not yet searchable here: "
                            + e.getMessage(),
                    e);
        }
        return offset;
    }

    // ---- reads (this replica) ----

    public SearchResult search(SearchRequest request) {
        return searcher.search(request);
    }

    public Optional<GalleryKind> kindOf(String gallery) {
        return index.kindOf(gallery);
    }

    public Optional<Subject> subject(GalleryKey.OfSubject key) {
        return index.subject(key);
    }

    /** A medium with its vectors and crops. */
    public Optional<Medium> medium(GalleryKey.OfMedium key) {
        return index.medium(key);
    }

    public List<Medium> media(GalleryKey.OfSubject key) {
        return index.mediaOf(key);
    }

    /** Re-embedding support: media missing a model version and per-gallery model coverage. */
    public ReembedCatalog reembed() {
        return reembed;
    }

    /** Waits until this replica has applied the record at {@code offset} (e.g. one another instance published). */
    public void awaitApplied(long offset) throws TimeoutException {
        replica.awaitApplied(offset, settings.applyTimeout());
    }

    /**
     * The replica's state for the management port: UP while it applies the topic; DOWN while it retries after an IO
     * error ("retrying after IO error: …"), rebuilds from the topic's beginning or finds no topic (it recovers by
     * itself; searches meanwhile see the gallery as last applied); FAILED once its apply thread stopped for good.
     */
    public io.facestream.core.health.Health replicationHealth() {
        return replica.health();
    }

    /** The replica that applies the topic to this gallery's index (rebuild count, applied offset). */
    public GalleryReplica replica() {
        return replica;
    }

    /** The roll marker scheduler of the gallery topic (when the next marker is due). */
    public io.facestream.core.kafka.SegmentRoll segmentRoll() {
        return segmentRoll;
    }

    /** The underlying index, for tools and benchmarks. */
    public GalleryIndex index() {
        return index;
    }

    /** Stops replication, commits what was applied, closes the index. */
    @Override
    public void close() {
        segmentRoll.close();
        writer.close();
        replica.close();
        index.close();
    }
}
