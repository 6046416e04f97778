package io.facestream.gallery.model;

import java.util.Map;
import java.util.TreeMap;

/** Free string metadata; keys become Lucene field-name suffixes, so they are restricted like identifiers. */
final class Metadata {
    private Metadata() {}

    static Map<String, String> copy(String owner, Map<String, String> metadata) {
        if (metadata == null) {
            return Map.of();
        }
        TreeMap<String, String> out = new TreeMap<>();
        metadata.forEach((k, v) -> {
            Names.requireId("metadata key of " + owner, k);
            if (v == null) {
                throw new GalleryInputException("metadata '" + k + "' of " + owner + " has no value");
            }
            out.put(k, v);
        });
        return java.util.Collections.unmodifiableMap(out);
    }
}
