package io.facestream.embed.model;

import io.facestream.core.events.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Turns a {@code ModelRelease} into an installed model: from the local store when it already has that version, else
 * installed from the release's location (a shared model directory). The release's sha256 must match one of the
 * installed files, so a service never serves weights other than the ones that passed the gate.
 */
public final class ReleasedModel {
    private ReleasedModel() {}

    public static ModelStore.InstalledModel install(ModelStore store, ModelRelease release) {
        ModelStore.InstalledModel installed = localOrCopied(store, release);
        String sha = release.getSha256();
        if (!sha.isEmpty() && installed.manifest().files().stream().noneMatch(f -> sha.equalsIgnoreCase(f.sha256()))) {
            throw new IllegalStateException("release " + release.getName() + "@" + release.getVersion() + " announces sha256 "
                    + sha + " but the installed files hash to " + installed.manifest().files().stream()
                    .map(ModelManifest.ModelFile::sha256).toList());
        }
        return installed;
    }

    private static ModelStore.InstalledModel localOrCopied(ModelStore store, ModelRelease release) {
        try {
            return store.load(release.getName(), release.getVersion());
        } catch (RuntimeException notHere) {
            Path dir = Path.of(release.getLocation());
            Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalStateException("release " + release.getName() + "@" + release.getVersion()
                        + " is not in the local store and its location " + dir + " has no manifest");
            }
            ModelManifest manifest = ModelStore.readManifest(manifestFile);
            Map<String, Path> files = new HashMap<>();
            manifest.files().forEach(f -> files.put(f.role(), dir.resolve(f.file())));
            return store.install(manifest, files);
        }
    }
}
