package io.facestream.gallery.model;

import java.util.Map;

/** A person enrolled in one gallery; the metadata is what searches filter by (e.g. {@code site=north}). */
public record Subject(String gallery, String subjectId, String displayName, Map<String, String> metadata) {
    public Subject {
        Names.requireId("gallery name", gallery);
        Names.requireId("subject id", subjectId);
        displayName = displayName == null ? "" : displayName;
        metadata = Metadata.copy("subject " + gallery + "/" + subjectId, metadata);
    }

    public GalleryKey.OfSubject key() {
        return new GalleryKey.OfSubject(gallery, subjectId);
    }
}
