package io.facestream.gallery.model;

import io.facestream.core.events.ModelRef;
import java.util.regex.Pattern;

/**
 * One embedding space. Vectors of different model versions are never compared, so each one gets its own Lucene
 * field, {@code vec.<name>.<version>}: the name has no dots, which keeps the field name unambiguous.
 */
public record ModelVersion(String name, String version) implements Comparable<ModelVersion> {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,63}");

    public ModelVersion {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new GalleryInputException(
                    "model name '" + name + "' is not valid: 1-64 letters, digits, _ or - (no dots)");
        }
        if (version == null || !VERSION.matcher(version).matches()) {
            throw new GalleryInputException("model version '" + version + "' of model " + name
                    + " is not valid: 1-64 letters, digits, . _ + or -");
        }
    }

    /** Parses {@code name:version} or {@code name@version}. */
    public static ModelVersion parse(String text) {
        int sep = text == null ? -1 : Math.max(text.indexOf(':'), text.indexOf('@'));
        if (sep <= 0) {
            throw new GalleryInputException("model '" + text + "' must be written name:version");
        }
        return new ModelVersion(text.substring(0, sep), text.substring(sep + 1));
    }

    public static ModelVersion of(ModelRef ref) {
        return new ModelVersion(ref.getName(), ref.getVersion());
    }

    public ModelRef toProto() {
        return ModelRef.newBuilder().setName(name).setVersion(version).build();
    }

    /** The KNN field of this model's templates. */
    public String vectorField() {
        return "vec." + name + "." + version;
    }

    /** The stored field with the media's raw features (booking fusion and re-publishing need them). */
    public String rawField() {
        return "raw." + name + "." + version;
    }

    @Override
    public int compareTo(ModelVersion o) {
        int c = name.compareTo(o.name);
        return c != 0 ? c : version.compareTo(o.version);
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
