package io.facestream.gallery.model;

/** One record of the facestream.gallery topic, decoded: a put on one level of the key hierarchy, or a removal. */
public sealed interface GalleryChange {

    GalleryKey key();

    record DefineGallery(GalleryDefinition gallery) implements GalleryChange {
        public GalleryKey key() {
            return gallery.key();
        }
    }

    record PutSubject(Subject subject) implements GalleryChange {
        public GalleryKey key() {
            return subject.key();
        }
    }

    record PutMedium(Medium medium) implements GalleryChange {
        public GalleryKey key() {
            return medium.key();
        }
    }

    /** A tombstone: the key and everything below it, crops included. */
    record Remove(GalleryKey key) implements GalleryChange {}
}
