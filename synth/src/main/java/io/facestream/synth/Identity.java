package io.facestream.synth;

import java.util.List;

/**
 * A synthetic person: a subject id, how it was built (for the report) and one or more canonical looks. Renders pick
 * a look and add pose, lighting and colour; the identity itself never changes between stills and videos.
 */
public record Identity(int subject, String recipe, List<Look> looks) {
    public Identity {
        if (looks.isEmpty()) {
            throw new IllegalArgumentException("identity " + subject + " has no look");
        }
        looks = List.copyOf(looks);
    }
}
