package io.facestream.gallery.model;

/**
 * How a gallery turns media into searchable templates (IJB-S protocols, adaface.md §5c): SINGLE and SURVEILLANCE
 * search each medium (an enrolment still, a track) on its own; BOOKING fuses all media of a subject into one template.
 */
public enum GalleryKind {
    SINGLE,
    BOOKING,
    SURVEILLANCE;

    public boolean fusesSubject() {
        return this == BOOKING;
    }

    public io.facestream.core.events.GalleryKind toProto() {
        return switch (this) {
            case SINGLE -> io.facestream.core.events.GalleryKind.SINGLE;
            case BOOKING -> io.facestream.core.events.GalleryKind.BOOKING;
            case SURVEILLANCE -> io.facestream.core.events.GalleryKind.SURVEILLANCE;
        };
    }

    public static GalleryKind fromProto(io.facestream.core.events.GalleryKind kind, String gallery) {
        return switch (kind) {
            case SINGLE -> SINGLE;
            case BOOKING -> BOOKING;
            case SURVEILLANCE -> SURVEILLANCE;
            default ->
                throw new GalleryInputException("gallery '" + gallery + "' has no kind (got " + kind
                        + "); expected SINGLE, BOOKING or SURVEILLANCE");
        };
    }
}
