package io.facestream.eval.ijbs.protocol;

import java.util.List;

/** One gallery (G1 or G2) of a protocol, its templates in file order (file order is the tie-break order). */
public record Gallery(String name, List<Template> templates) {
    public Gallery {
        templates = List.copyOf(templates);
    }
}
