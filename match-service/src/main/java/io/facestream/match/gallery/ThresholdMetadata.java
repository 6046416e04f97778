package io.facestream.match.gallery;

import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.match.decide.OpenSetThreshold;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Where a gallery keeps its open-set thresholds: in the metadata of its definition on the compacted gallery topic,
 * one set of keys per model version, so every replica decides with the same threshold and a new model version
 * never silently reuses a threshold chosen in another embedding space (a roll-out carries it over explicitly, see
 * {@code ThresholdTransfer}).
 */
public final class ThresholdMetadata {
    private ThresholdMetadata() {}

    private static final String PREFIX = "open-set.";
    private static final String THRESHOLD = "threshold";

    static String prefix(String model) {
        return PREFIX + model + ".";
    }

    /**
     * This model version's threshold, if the metadata has one.
     *
     * @throws IllegalArgumentException naming the metadata key when a value is not a number or the threshold is not a
     *                                  finite cosine (the gallery topic is written by more than this API)
     */
    public static Optional<OpenSetThreshold> read(Map<String, String> metadata, String model) {
        String p = prefix(model);
        String value = metadata.get(p + THRESHOLD);
        if (value == null) {
            return Optional.empty();
        }
        try {
            double fpir = Double.parseDouble(metadata.getOrDefault(p + "fpir", "NaN"));
            int n = Integer.parseInt(metadata.getOrDefault(p + "calibrated-on", "0"));
            return Optional.of(new OpenSetThreshold(
                    Double.parseDouble(value), fpir, n, metadata.getOrDefault(p + "source", "manual")));
        } catch (IllegalArgumentException e) {
            StringBuilder values = new StringBuilder();
            for (String k : java.util.List.of(THRESHOLD, "fpir", "calibrated-on")) {
                if (metadata.containsKey(p + k)) {
                    values.append(values.isEmpty() ? "" : ", ")
                            .append(p)
                            .append(k)
                            .append(" = '")
                            .append(metadata.get(p + k))
                            .append("'");
                }
            }
            throw new IllegalArgumentException("gallery metadata " + values + " is unreadable: " + e.getMessage(), e);
        }
    }

    /** Every model version's readable threshold in the metadata, by model version (unreadable ones are not in effect). */
    public static java.util.SortedMap<String, OpenSetThreshold> all(Map<String, String> metadata) {
        java.util.SortedMap<String, OpenSetThreshold> out = new java.util.TreeMap<>();
        for (String key : metadata.keySet()) {
            // "open-set.threshold" starts with the prefix and ends with ".threshold" but names no model
            if (key.startsWith(PREFIX)
                    && key.endsWith("." + THRESHOLD)
                    && key.length() > PREFIX.length() + THRESHOLD.length() + 1) {
                String model = key.substring(PREFIX.length(), key.length() - THRESHOLD.length() - 1);
                try {
                    read(metadata, model).ifPresent(t -> out.put(model, t));
                } catch (IllegalArgumentException unreadable) {
                    // IndexedGallery warns about it and decides with match.default-threshold
                }
            }
        }
        return out;
    }

    private static final String BASE = "calibrated-threshold";

    /**
     * The calibrated threshold a {@code corrected} one was derived from (operators' rejections counted against it,
     * docs/match-service.md "Corrections"), if the metadata has one.
     */
    public static Optional<Double> base(Map<String, String> metadata, String model) {
        String v = metadata.get(prefix(model) + BASE);
        try {
            return v == null ? Optional.empty() : Optional.of(Double.parseDouble(v));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The definition with a threshold derived from the calibrated threshold {@code base}, which is kept beside it. */
    public static GalleryDefinition withCorrectedThreshold(
            GalleryDefinition gallery, String model, OpenSetThreshold t, double base) {
        Map<String, String> m = write(gallery.metadata(), model, t);
        m.put(prefix(model) + BASE, Double.toString(base));
        return new GalleryDefinition(gallery.name(), gallery.kind(), m);
    }

    /** The gallery's definition with this model's threshold replaced: what to publish to change it. */
    public static GalleryDefinition withThreshold(GalleryDefinition gallery, String model, OpenSetThreshold t) {
        return new GalleryDefinition(gallery.name(), gallery.kind(), write(gallery.metadata(), model, t));
    }

    /** The metadata with this model's threshold replaced (other models' thresholds and other keys kept). */
    public static Map<String, String> write(Map<String, String> metadata, String model, OpenSetThreshold t) {
        String p = prefix(model);
        Map<String, String> out = new HashMap<>(metadata);
        out.keySet().removeIf(k -> k.startsWith(p));
        out.put(p + THRESHOLD, Double.toString(t.value()));
        out.put(p + "source", t.source());
        if (!Double.isNaN(t.targetFpir())) {
            out.put(p + "fpir", Double.toString(t.targetFpir()));
        }
        if (t.calibratedOn() > 0) {
            out.put(p + "calibrated-on", Integer.toString(t.calibratedOn()));
        }
        return out;
    }
}
