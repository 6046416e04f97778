package io.facestream.gallery.reembed;

import io.facestream.gallery.model.GalleryKey;
import java.nio.file.Path;
import java.util.List;

/** A medium that lacks a model version, with the stored crops a background job embeds to fill it in. */
public record PendingMedium(GalleryKey.OfMedium key, List<Path> crops) {
    public PendingMedium {
        crops = List.copyOf(crops);
    }
}
