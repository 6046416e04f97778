package io.facestream.eval.ijbs.protocol;

import java.util.List;

/**
 * What one IJB-S template is made of: a subject and the media whose aligned faces of that subject are fused.
 * A surveillance template is one (subject, video) pair; a single-image template is one still; a booking template is
 * all listed stills of one subject (adaface.md §5c).
 */
public record Template(int subject, List<Media> media) {
    public Template {
        media = List.copyOf(media);
        if (media.isEmpty()) {
            throw new IllegalArgumentException("template of subject " + subject + " has no media");
        }
    }

    public static Template of(int subject, Media media) {
        return new Template(subject, List.of(media));
    }
}
