package io.facestream.ingest.camera;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A camera as the user wrote it, not yet checked: {@code ID=SOURCE[;option=value...]} on the command line, or a
 * {@code cameras.<id>} config entry. Keeping it unchecked lets a service report a bad camera as that camera's failure
 * while the others run. {@link CameraSpec#resolve} checks it.
 */
public record CameraRequest(String text, String id, String source, Map<String, String> options) {
    public CameraRequest {
        options = Map.copyOf(options);
    }

    /** Splits {@code ID=SOURCE;fps=2;max-width=640}. Never fails: problems surface in {@link CameraSpec#resolve}. */
    public static CameraRequest parse(String text) {
        int eq = text.indexOf('=');
        if (eq < 0) {
            return new CameraRequest(text, text.trim(), null, Map.of());
        }
        String id = text.substring(0, eq).trim();
        String[] parts = text.substring(eq + 1).split(";");
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i].trim();
            if (part.isEmpty()) {
                continue;
            }
            int oeq = part.indexOf('=');
            options.put(
                    oeq < 0 ? part : part.substring(0, oeq).trim(),
                    oeq < 0 ? "" : part.substring(oeq + 1).trim());
        }
        return new CameraRequest(text, id, parts[0].trim(), options);
    }

    /**
     * The cameras of the config's free-form {@code cameras} section, flattened as {@code cameras.<id>} (the source) or
     * {@code cameras.<id>.source} plus {@code cameras.<id>.<option>}.
     */
    public static List<CameraRequest> fromConfigSection(Map<String, Object> section) {
        Map<String, Map<String, String>> byId = new TreeMap<>();
        section.forEach((key, value) -> {
            int dot = key.indexOf('.');
            String id = dot < 0 ? key : key.substring(0, dot);
            String option = dot < 0 ? "source" : key.substring(dot + 1);
            byId.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(option, String.valueOf(value));
        });
        return byId.entrySet().stream()
                .map(e -> {
                    Map<String, String> options = new LinkedHashMap<>(e.getValue());
                    String source = options.remove("source");
                    return new CameraRequest("cameras." + e.getKey(), e.getKey(), source, options);
                })
                .toList();
    }
}
