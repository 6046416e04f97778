package io.facestream.gallery.index;

import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.template.TemplatePlan;
import java.util.List;
import java.util.Map;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Query;

/**
 * How gallery records map to Lucene documents. The version is written into every commit, so a future layout can
 * refuse (or migrate) an index written by another one instead of misreading it.
 */
public interface IndexLayout {

    int version();

    Document gallery(GalleryDefinition gallery);

    Document subject(Subject subject);

    /** A medium; under SINGLE/SURVEILLANCE it is also its own searchable template. */
    Document medium(Medium medium, GalleryKind kind);

    /** The fused BOOKING template of a subject. */
    Document bookingTemplate(GalleryKey.OfSubject subject, TemplatePlan.Template template);

    /** Selects the record stored under exactly this key (gallery, subject or medium). */
    Term record(GalleryKey key);

    /** Selects every document at or below a key: what its tombstone removes. */
    Term lineage(GalleryKey key);

    /** Selects the BOOKING template of a subject. */
    Term templateOf(GalleryKey.OfSubject subject);

    /** Searchable templates of the given galleries. */
    Query templatesOf(List<String> galleries);

    /** Subject records of a gallery with the given metadata (all must match). */
    Query subjectsMatching(List<String> galleries, Map<String, String> metadata);

    Query media(String gallery);

    Query mediaOf(GalleryKey.OfSubject subject);

    Query mediaWith(String gallery, ModelVersion model);

    Query galleries();

    /** The field holding the subject key on subjects and templates (for filters). */
    String subjectKeyField();

    /** The term field holding a subject's key on its subject record only (loaded at start-up). */
    String subjectRecordField();

    GalleryDefinition readGallery(Document doc);

    Subject readSubject(Document doc);

    /** A medium without its crops (those live in the crop store). */
    Medium readMedium(Document doc, List<byte[]> crops);

    /** The key of a gallery, subject or medium record; empty for a BOOKING template document. */
    java.util.Optional<GalleryKey> keyOf(Document doc);

    /** The hit identity of a template document. */
    GalleryKey.OfSubject subjectOf(Document doc);

    /** The media id of a per-medium template, or "" for a BOOKING template. */
    String mediaIdOf(Document doc);
}
