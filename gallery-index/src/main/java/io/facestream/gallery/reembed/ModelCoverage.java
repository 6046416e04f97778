package io.facestream.gallery.reembed;

import io.facestream.gallery.model.ModelVersion;

/** How many of a gallery's media have a vector of one model version; complete when all of them do. */
public record ModelCoverage(String gallery, ModelVersion model, long embedded, long media) {
    public boolean complete() {
        return media > 0 && embedded == media;
    }
}
