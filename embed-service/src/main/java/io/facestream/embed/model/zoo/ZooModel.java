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
public record ZooModel(String name, String version, NpmPackage pkg, ModelManifest.Kind kind, List<File> files,
                       ModelManifest.Input input, ModelManifest.Embedding embedding, String licence, String notes) {

    /**
     * @param role          manifest role ("main", "pnet", ...)
     * @param pathInPackage the original file inside the package
     * @param sha256        its pinned sha256
     * @param format        how it becomes the installed ONNX file
     * @param installedName file name in the model directory
     * @param inputs        ONNX input names
     * @param outputs       ONNX output names
     */
    public record File(String role, String pathInPackage, String sha256, SourceFormat format, String installedName,
                       List<String> inputs, List<String> outputs) {}

    /** The format of a file in the package. */
    public sealed interface SourceFormat permits Onnx, Tflite {}

    /** Already ONNX: installed byte for byte. */
    public record Onnx() implements SourceFormat {}

    /** TFLite: converted with these options. */
    public record Tflite(ConversionOptions options) implements SourceFormat {}
}
