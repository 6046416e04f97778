package io.facestream.embed.model;

import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a {@code ModelRelease} into an installed model: from the local store when it already has that version, else
 * installed from the release's location (a shared model directory). Call {@link ReleaseValidator#check} first: this
 * class checks the files against the release. The release's sha256 must match one of the installed files, and every
 * file the release lists must be installed with the listed name and hash, so a service never serves weights other
 * than the ones that passed the gate (and, with signing on, the ones that were signed). Files at the location are
 * hashed before they are copied: a mismatching release leaves the store untouched.
 */
public final class ReleasedModel {
    private ReleasedModel() {}

    public static ModelStore.InstalledModel install(ModelStore store, ModelRelease release) {
        ReleaseValidator.checkName(release.getName());
        ReleaseValidator.checkVersion(release.getVersion());
        ModelStore.InstalledModel installed = localOrCopied(store, release);
        checkFiles(release, installed.manifest());
        return installed;
    }

    /** The installed (or about to be installed) manifest has exactly the release's hashes. */
    private static void checkFiles(ModelRelease release, ModelManifest manifest) {
        String id = release.getName() + "@" + release.getVersion();
        if (!manifest.name().equals(release.getName()) || !manifest.version().equals(release.getVersion())) {
            throw new ReleaseValidator.RefusedRelease(
                    ReleaseValidator.RefusedRelease.Kind.INVALID,
                    "release " + id + " points at a manifest of " + manifest.id());
        }
        String sha = release.getSha256();
        if (manifest.files().stream().noneMatch(f -> sha.equalsIgnoreCase(f.sha256()))) {
            throw mismatch(
                    id,
                    "announces sha256 " + sha + " but its files hash to "
                            + manifest.files().stream()
                                    .map(ModelManifest.ModelFile::sha256)
                                    .toList());
        }
        if (release.getFilesCount() == 0) {
            return; // a release from before file lists: the announced hash is what there is to check
        }
        Map<String, ModelManifest.ModelFile> byRole = new TreeMap<>();
        manifest.files().forEach(f -> byRole.put(f.role(), f));
        if (!byRole.keySet()
                .equals(new java.util.TreeSet<>(release.getFilesList().stream()
                        .map(ModelFileDigest::getRole)
                        .toList()))) {
            throw mismatch(
                    id,
                    "lists the files "
                            + release.getFilesList().stream()
                                    .map(ModelFileDigest::getRole)
                                    .sorted()
                                    .toList() + " but its manifest has " + byRole.keySet());
        }
        for (ModelFileDigest d : release.getFilesList()) {
            ModelManifest.ModelFile f = byRole.get(d.getRole());
            if (!f.file().equals(d.getFile()) || !d.getSha256().equalsIgnoreCase(f.sha256())) {
                throw mismatch(
                        id,
                        "lists " + d.getRole() + " = " + d.getFile() + " sha256 " + d.getSha256()
                                + " but the files are " + f.file() + " sha256 " + f.sha256());
            }
        }
    }

    private static ReleaseValidator.RefusedRelease mismatch(String id, String what) {
        return new ReleaseValidator.RefusedRelease(
                ReleaseValidator.RefusedRelease.Kind.HASH_MISMATCH, "release " + id + " " + what);
    }

    private static ModelStore.InstalledModel localOrCopied(ModelStore store, ModelRelease release) {
        try {
            return store.load(release.getName(), release.getVersion());
        } catch (ReleaseValidator.RefusedRelease refused) {
            throw refused;
        } catch (RuntimeException notHere) {
            Path dir = Path.of(release.getLocation());
            Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalStateException("release " + release.getName() + "@" + release.getVersion()
                        + " is not in the local store and its location " + dir + " has no manifest");
            }
            ModelManifest manifest = ModelStore.readManifest(manifestFile);
            Map<String, Path> files = new HashMap<>();
            List<ModelManifest.ModelFile> hashed = new java.util.ArrayList<>();
            for (ModelManifest.ModelFile f : manifest.files()) {
                ReleaseValidator.checkFileName(manifest.id(), f.file());
                Path file = ReleaseValidator.inside(dir, f.file());
                files.put(f.role(), file);
                hashed.add(f.withSha256(ModelStore.sha256(file)));
            }
            // hashed where they lie, so files that do not match never enter the store
            checkFiles(
                    release,
                    new ModelManifest(
                            manifest.name(),
                            manifest.version(),
                            manifest.kind(),
                            hashed,
                            manifest.input(),
                            manifest.embedding(),
                            manifest.source(),
                            manifest.licence(),
                            manifest.notes()));
            return store.install(manifest, files);
        }
    }
}
