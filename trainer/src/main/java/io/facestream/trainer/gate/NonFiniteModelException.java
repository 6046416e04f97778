package io.facestream.trainer.gate;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.trainer.graph.OnnxExport;
import io.facestream.trainer.graph.OnnxTensors;

/**
 * A model whose ONNX weights hold a NaN or an infinity. Such a model embeds every face as NaN; the gate refuses it
 * before scoring and the publisher refuses it again, so it can never be released whatever produced it.
 */
public final class NonFiniteModelException extends IllegalStateException {
    public NonFiniteModelException(String message) {
        super(message);
    }

    /** Reads every ONNX file of the model; throws naming the first non-finite initializer. */
    public static void check(ModelStore.InstalledModel model) {
        for (ModelManifest.ModelFile f : model.manifest().files()) {
            if (!f.file().endsWith(".onnx")) {
                continue;
            }
            String bad = OnnxTensors.firstNonFinite(OnnxExport.read(model.path(f.role())));
            if (bad != null) {
                throw new NonFiniteModelException(
                        "refused " + model.manifest().id() + ": weight '" + bad + "' of " + f.file()
                                + " holds NaN or Inf (the model would embed every face as NaN); it is not scored or released");
            }
        }
    }
}
