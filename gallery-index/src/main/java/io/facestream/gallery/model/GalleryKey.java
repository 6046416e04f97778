package io.facestream.gallery.model;

/**
 * A key of the facestream.gallery topic. Keys form a hierarchy ({@code <gallery>}, {@code <gallery>/<subject>},
 * {@code <gallery>/<subject>/<media>}) so that one tombstone on a level deletes everything below it.
 */
public sealed interface GalleryKey permits GalleryKey.OfGallery, GalleryKey.OfSubject, GalleryKey.OfMedium {

    String gallery();

    /** The topic key. */
    String text();

    /** This key and every level above it: a document is deleted by the tombstone of any of them. */
    java.util.List<String> lineage();

    static GalleryKey parse(String key) {
        if (key == null) {
            throw new GalleryInputException("gallery record has no key");
        }
        String[] parts = key.split("/", -1);
        return switch (parts.length) {
            case 1 -> new OfGallery(parts[0]);
            case 2 -> new OfSubject(parts[0], parts[1]);
            case 3 -> new OfMedium(parts[0], parts[1], parts[2]);
            default ->
                throw new GalleryInputException("gallery key '" + key + "' has " + parts.length
                        + " levels; expected <gallery>[/<subject>[/<media>]]");
        };
    }

    record OfGallery(String gallery) implements GalleryKey {
        public OfGallery {
            Names.requireId("gallery name", gallery);
        }

        public String text() {
            return gallery;
        }

        public java.util.List<String> lineage() {
            return java.util.List.of(text());
        }
    }

    record OfSubject(String gallery, String subject) implements GalleryKey {
        public OfSubject {
            Names.requireId("gallery name", gallery);
            Names.requireId("subject id", subject);
        }

        public String text() {
            return gallery + "/" + subject;
        }

        public OfGallery parent() {
            return new OfGallery(gallery);
        }

        public java.util.List<String> lineage() {
            return java.util.List.of(gallery, text());
        }
    }

    record OfMedium(String gallery, String subject, String media) implements GalleryKey {
        public OfMedium {
            Names.requireId("gallery name", gallery);
            Names.requireId("subject id", subject);
            Names.requireId("media id", media);
        }

        public String text() {
            return gallery + "/" + subject + "/" + media;
        }

        public OfSubject parent() {
            return new OfSubject(gallery, subject);
        }

        public java.util.List<String> lineage() {
            return java.util.List.of(gallery, parent().text(), text());
        }
    }
}
