package io.facestream.embed.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model in the store is and how to feed it: written as {@code manifest.json} (snake_case) beside its ONNX
 * file(s). The pipeline is driven by this, never by the model's name.
 *
 * @param name          model name, e.g. {@code mobilefacenet}, {@code mtcnn}, {@code adaface-ir50}
 * @param version       model version; a new version is a new embedding space
 * @param kind          detector or embedder
 * @param files         the ONNX file(s): one for most models, pnet/rnet/onet for MTCNN (role = "pnet", ...)
 * @param input         input geometry and pixel normalisation
 * @param embedding     embedder facts (null for detectors)
 * @param source        where the weights came from (package@version, file, hash)
 * @param licence       licence of the weights, as published
 * @param notes         anything a user should know (e.g. BlazeFace has no mouth corners)
 */
public record ModelManifest(
        String name,
        String version,
        Kind kind,
        List<ModelFile> files,
        Input input,
        Embedding embedding,
        Source source,
        String licence,
        String notes) {

    public static final String FILE_NAME = "manifest.json";

    public ModelManifest {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(kind, "kind");
        files = files == null ? List.of() : List.copyOf(files);
    }

    public enum Kind {
        DETECTOR,
        EMBEDDER
    }

    public enum ColorOrder {
        RGB,
        BGR
    }

    /**
     * @param role         "main" for single-file models; "pnet"/"rnet"/"onet" for MTCNN
     * @param file         file name inside the model directory
     * @param sha256       hex sha256 of the file, checked on every load
     * @param inputs       input tensor names, in order
     * @param outputs      output tensor names, in order
     * @param source       path of the file it was made from inside the source package (null for user models)
     * @param sourceSha256 sha256 of that original file, before any conversion (null when unknown)
     */
    public record ModelFile(
            String role,
            String file,
            String sha256,
            List<String> inputs,
            List<String> outputs,
            String source,
            String sourceSha256) {
        public ModelFile(String role, String file, String sha256, List<String> inputs, List<String> outputs) {
            this(role, file, sha256, inputs, outputs, null, null);
        }

        /** The same entry with the installed file's hash filled in. */
        public ModelFile withSha256(String hash) {
            return new ModelFile(role, file, hash, inputs, outputs, source, sourceSha256);
        }
    }

    /**
     * Pixel p (0..255) enters the network as {@code (p - mean[c]) / std[c]} in {@code colorOrder}.
     *
     * @param width      input width (0 = dynamic)
     * @param height     input height (0 = dynamic)
     * @param layout     NCHW or NHWC
     * @param colorOrder channel order the network expects
     * @param mean       per-channel mean, in the network's channel order
     * @param std        per-channel std
     */
    public record Input(int width, int height, String layout, ColorOrder colorOrder, float[] mean, float[] std) {}

    /**
     * @param size             embedding dimension
     * @param output           output tensor holding the feature
     * @param unitLength       true when the network already normalises (then its norm carries no quality signal)
     * @param normMean         mean feature norm on training-like data (quality = (norm - mean) / std)
     * @param normStd          std of that norm
     * @param qualityThreshold default minimum norm for a face to count (overridable per deployment)
     */
    public record Embedding(
            int size, String output, boolean unitLength, double normMean, double normStd, double qualityThreshold) {}

    /**
     * @param packageName npm package (or "user" for models added by path)
     * @param packageVersion package version
     * @param integrity  npm integrity string of the package tarball
     * @param file       path of the original file inside the package
     * @param sha256     sha256 of the original file (before conversion); null when the model was made from several
     *                   files, whose hashes are then in {@link ModelFile#sourceSha256()}
     */
    public record Source(String packageName, String packageVersion, String integrity, String file, String sha256) {}

    public ModelFile file(String role) {
        return files.stream()
                .filter(f -> f.role().equals(role))
                .findFirst()
                .orElseThrow(() ->
                        new IllegalArgumentException("model " + name + "@" + version + " has no file with role " + role
                                + " (has " + files.stream().map(ModelFile::role).toList() + ")"));
    }

    public String id() {
        return name + "@" + version;
    }

    public Map<String, String> describe() {
        return Map.of("name", name, "version", version, "kind", kind.name().toLowerCase());
    }
}
