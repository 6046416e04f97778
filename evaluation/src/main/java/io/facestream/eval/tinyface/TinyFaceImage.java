package io.facestream.eval.tinyface;

/**
 * One TinyFace test image named as in the official layout (adaface.md §5d): {@code <SET>/<name>.<ext>} with SET one of
 * Probe, Gallery_Match, Gallery_Distractor. The identity key is the base name without extension (unique); the label
 * is the integer before the first '_' of it, and every distractor is labelled −100.
 */
public record TinyFaceImage(Part part, String key, int label) {
    public static final int DISTRACTOR_LABEL = -100;

    public enum Part {
        PROBE("Probe"),
        GALLERY_MATCH("Gallery_Match"),
        GALLERY_DISTRACTOR("Gallery_Distractor");

        private final String folder;

        Part(String folder) {
            this.folder = folder;
        }

        public String folder() {
            return folder;
        }
    }

    public static TinyFaceImage parse(String path) {
        String p = path.replace('\\', '/');
        int slash = p.lastIndexOf('/');
        if (slash <= 0) {
            throw new IllegalArgumentException(
                    "'" + path + "' has no Probe/, Gallery_Match/ or Gallery_Distractor/ folder");
        }
        String dir = p.substring(p.lastIndexOf('/', slash - 1) + 1, slash);
        String file = p.substring(slash + 1);
        int dot = file.lastIndexOf('.');
        String key = dot > 0 ? file.substring(0, dot) : file;
        Part part = null;
        for (Part candidate : Part.values()) {
            if (candidate.folder.equals(dir)) {
                part = candidate;
            }
        }
        if (part == null) {
            throw new IllegalArgumentException(
                    "'" + path + "': folder '" + dir + "' is none of Probe, Gallery_Match, Gallery_Distractor");
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("'" + path + "': empty file name");
        }
        if (part == Part.GALLERY_DISTRACTOR) {
            return new TinyFaceImage(part, key, DISTRACTOR_LABEL);
        }
        int cut = key.indexOf('_');
        String label = cut < 0 ? key : key.substring(0, cut);
        try {
            return new TinyFaceImage(part, key, Integer.parseInt(label));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    "'" + path + "': identity '" + label + "' before the first '_' is not an integer");
        }
    }
}
