package io.facestream.trainer.run;

import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.convert.onnx.Onnx.ModelProto;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.trainer.graph.IrNet;
import io.facestream.trainer.graph.OnnxExport;
import java.nio.file.Files;
import java.util.Comparator;
import java.util.List;

/**
 * The model a run starts from: an installed embedder ({@code name@version} = that version; a bare {@code name} = the
 * zoo's pinned version of a zoo model such as {@code mobilefacenet}, pulled on first use, else the newest installed
 * version that is not a fine-tuned candidate), or an IR architecture from scratch ({@code ir18}, {@code ir34}) when
 * no model of that name is installed.
 *
 * @param manifest its manifest (for a from-scratch net, a synthetic one with version "0")
 * @param graph    its ONNX graph
 * @param pretrained false for an IR net initialised here from scratch; true for any installed or zoo model (the
 *                   trainer cannot tell how an installed model was trained, and treats it as meaningful)
 */
public record BaseModel(ModelManifest manifest, ModelProto graph, boolean pretrained) {

    public static BaseModel resolve(ModelStore store, String spec, long seed) {
        String name = spec.contains("@") ? spec.substring(0, spec.indexOf('@')) : spec;
        ModelStore.InstalledModel installed;
        if (spec.contains("@")) {
            installed = store.load(name, spec.substring(spec.indexOf('@') + 1));
        } else if (ModelZoo.models().stream().anyMatch(z -> z.name().equals(name))) {
            // the zoo's pinned version, pulled on first use; never an earlier run's candidate
            installed = ModelZoo.ensure(store, name);
        } else if (Files.isDirectory(store.root().resolve(name))) {
            installed = newestNonCandidate(store, name);
        } else if (IrNet.named(name) != null) {
            return fromScratch(IrNet.named(name), seed);
        } else {
            installed = ModelZoo.ensure(store, name);
        }
        ModelManifest m = installed.manifest();
        if (m.kind() != ModelManifest.Kind.EMBEDDER || m.embedding() == null) {
            throw new IllegalArgumentException(
                    "base model " + m.id() + " is a " + m.kind().name().toLowerCase() + ", not an embedder");
        }
        if (m.files().size() != 1) {
            throw new IllegalArgumentException("base model " + m.id() + " has "
                    + m.files().size() + " files; the trainer takes single-graph embedders");
        }
        return new BaseModel(
                m, OnnxExport.read(installed.dir().resolve(m.files().get(0).file())), true);
    }

    /**
     * A bare name is the base a user means, not the newest file: fine-tuned candidates ({@code <version>-ft.<n>}) are
     * installed as newer versions, so "newest" would make each run start where the last one ended (same command, same
     * seed, a different first loss every time). Candidates are used only when named with their version.
     */
    private static ModelStore.InstalledModel newestNonCandidate(ModelStore store, String name) {
        List<ModelManifest> versions =
                store.list().stream().filter(m -> m.name().equals(name)).toList();
        return versions.stream()
                .filter(m -> !CandidateModel.isCandidate(m.version()))
                .max(Comparator.comparing(ModelManifest::version, ModelStore::compareVersions))
                .map(m -> store.load(name, m.version()))
                .orElseThrow(() ->
                        new IllegalArgumentException("model '" + name + "' has only fine-tuned candidates installed ("
                                + versions.stream().map(ModelManifest::id).toList()
                                + "): name the one to start from, e.g. --base-model "
                                + versions.get(versions.size() - 1).id()));
    }

    /** A freshly initialised IR net with AdaFace's input convention (BGR, (p − 127.5) / 127.5, NCHW). */
    public static BaseModel fromScratch(IrNet net, long seed) {
        float[] half = {127.5f, 127.5f, 127.5f};
        ModelManifest m = new ModelManifest(
                net.name(),
                "0",
                ModelManifest.Kind.EMBEDDER,
                List.of(new ModelManifest.ModelFile(
                        "main", "model.onnx", null, List.of(IrNet.INPUT), List.of(IrNet.OUTPUT))),
                new ModelManifest.Input(
                        net.inputSize(), net.inputSize(), "NCHW", ModelManifest.ColorOrder.BGR, half, half.clone()),
                new ModelManifest.Embedding(net.embedding(), IrNet.OUTPUT, false, 0, 0, 0),
                new ModelManifest.Source(
                        "facestream-trainer",
                        "0",
                        null,
                        net.name() + " (AdaFace IR architecture, Kaiming init, seed " + seed + ")",
                        null),
                "Apache-2.0",
                "trained from scratch by facestream trainer");
        return new BaseModel(m, net.build(seed), false);
    }
}
