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

    static ModelStore.InstalledModel install(ModelStore store, BaseModel base, OnnxGraphBlock block, NormStatistics norms,
                                             String provenance, Path workDir) {
        ModelManifest b = base.manifest();
        Path onnx = workDir.resolve("model.onnx");
        OnnxExport.write(OnnxExport.export(block), onnx);
        String version = nextVersion(store, b);
        ModelManifest.Embedding e = b.embedding();
        ModelManifest.Embedding embedding = new ModelManifest.Embedding(e.size(), e.output(), e.unitLength(),
                norms.mean(), norms.std(), e.qualityThreshold());
        ModelManifest.ModelFile file = b.files().get(0);
        ModelManifest m = new ModelManifest(b.name(), version, b.kind(),
                java.util.List.of(new ModelManifest.ModelFile(file.role(), file.file(), null, file.inputs(), file.outputs())),
                b.input(), embedding, b.source(), b.licence(),
                "fine-tuned from " + b.id() + " by facestream trainer: " + provenance);
        return store.install(m, Map.of(file.role(), onnx));
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
