package io.facestream.gallery.model;

import java.util.Map;

/** A gallery: its name, how it builds templates, free metadata. */
public record GalleryDefinition(String name, GalleryKind kind, Map<String, String> metadata) {
    public GalleryDefinition {
        Names.requireId("gallery name", name);
        if (kind == null) {
            throw new GalleryInputException("gallery '" + name + "' has no kind");
        }
        metadata = Metadata.copy("gallery " + name, metadata);
    }

    public GalleryKey.OfGallery key() {
        return new GalleryKey.OfGallery(name);
    }
}
