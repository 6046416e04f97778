package io.facestream.embed.model.zoo;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.convert.ConversionOptions;
import java.util.List;

/**
 * A default model: which package and files it comes from (pinned by hash), how each file becomes ONNX, and the
 * manifest facts that cannot be read from the files themselves (normalisation, licence, quality statistics).
 *
 * @param version the installed model version; the package version, so a new package release is a new model version
 */
public record ZooModel(
        String name,
        String version,
        NpmPackage pkg,
        ModelManifest.Kind kind,
        List<File> files,
        ModelManifest.Input input,
        ModelManifest.Embedding embedding,
        String licence,
        String notes) {

    /**
     * True when an installed manifest carries this catalogue entry's current facts (input, embedding, licence, source
     * files). A catalogue correction under the same version then re-installs instead of leaving a stale manifest.
     */
    public boolean describes(ModelManifest m) {
        ModelManifest.Input a = input;
        ModelManifest.Input b = m.input();
        boolean sameInput = b != null
                && a.width() == b.width()
                && a.height() == b.height()
                && a.layout().equals(b.layout())
                && a.colorOrder() == b.colorOrder()
                && java.util.Arrays.equals(a.mean(), b.mean())
                && java.util.Arrays.equals(a.std(), b.std());
        boolean sameFiles = files.size() == m.files().size()
                && files.stream()
                        .allMatch(f -> m.files().stream()
                                .anyMatch(g -> g.role().equals(f.role())
                                        && g.file().equals(f.installedName())
                                        && f.sha256().equals(g.sourceSha256())));
        return m.kind() == kind
                && sameInput
                && java.util.Objects.equals(embedding, m.embedding())
                && licence.equals(m.licence())
                && sameFiles;
    }

    /**
     * @param role          manifest role ("main", "pnet", ...)
     * @param pathInPackage the original file inside the package
     * @param sha256        its pinned sha256
     * @param format        how it becomes the installed ONNX file
     * @param installedName file name in the model directory
     * @param inputs        ONNX input names
     * @param outputs       ONNX output names
     */
    public record File(
            String role,
            String pathInPackage,
            String sha256,
            SourceFormat format,
            String installedName,
            List<String> inputs,
            List<String> outputs) {}

    /** The format of a file in the package. */
    public sealed interface SourceFormat permits Onnx, Tflite {}

    /** Already ONNX: installed byte for byte. */
    public record Onnx() implements SourceFormat {}

    /** TFLite: converted with these options. */
    public record Tflite(ConversionOptions options) implements SourceFormat {}
}
