package io.facestream.trainer.run;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.trainer.graph.OnnxExport;
import io.facestream.trainer.graph.OnnxGraphBlock;
import io.facestream.trainer.head.NormStatistics;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Exports a trained block into its base graph and installs it as the next version {@code <base version>-ft.<n>}
 * of the same model name, with the feature-norm statistics of training in the manifest (quality = (‖f‖ − μ) / σ).
 */
final class CandidateModel {
    private CandidateModel() {}

    static ModelStore.InstalledModel install(
            ModelStore store,
            BaseModel base,
            OnnxGraphBlock block,
            NormStatistics norms,
            String provenance,
            Path workDir) {
        ModelManifest b = base.manifest();
        Path onnx = workDir.resolve("model.onnx");
        var exported = OnnxExport.export(block);
        String poisoned = io.facestream.trainer.graph.OnnxTensors.firstNonFinite(exported);
        if (poisoned != null) {
            // the step checks stop a run before this; this is the last line of defence for the model store
            throw new IllegalStateException("the trained weight '" + poisoned + "' holds NaN or Inf: " + b.id()
                    + " was not fine-tuned into a new version");
        }
        OnnxExport.write(exported, onnx);
        String version = nextVersion(store, b);
        ModelManifest.Embedding e = b.embedding();
        ModelManifest.Embedding embedding = new ModelManifest.Embedding(
                e.size(), e.output(), e.unitLength(), norms.mean(), norms.std(), e.qualityThreshold());
        ModelManifest.ModelFile file = b.files().get(0);
        ModelManifest m = new ModelManifest(
                b.name(),
                version,
                b.kind(),
                java.util.List.of(
                        new ModelManifest.ModelFile(file.role(), file.file(), null, file.inputs(), file.outputs())),
                b.input(),
                embedding,
                b.source(),
                b.licence(),
                "fine-tuned from " + b.id() + " by facestream trainer: " + provenance);
        return store.install(m, Map.of(file.role(), onnx));
    }

    /** Whether a version is one this class installed ({@code <base version>-ft.<n>}). */
    static boolean isCandidate(String version) {
        return version.matches(".*-ft\\.\\d+");
    }

    private static String nextVersion(ModelStore store, ModelManifest base) {
        String root = base.version().replaceAll("-ft\\.\\d+$", "");
        Pattern p = Pattern.compile(Pattern.quote(root) + "-ft\\.(\\d+)");
        int n = 0;
        for (ModelManifest m : store.list()) {
            Matcher mm = p.matcher(m.version());
            if (m.name().equals(base.name()) && mm.matches()) {
                n = Math.max(n, Integer.parseInt(mm.group(1)));
            }
        }
        return root + "-ft." + (n + 1);
    }
}
