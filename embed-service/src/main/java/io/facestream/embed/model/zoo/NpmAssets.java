package io.facestream.embed.model.zoo;

import io.facestream.core.files.FileTrees;
import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Plain files (sample photographs, not models) taken from a pinned npm package: fetched through the {@link NpmCache}
 * (so the tarball's integrity is checked) and unpacked once under a folder, keeping their paths.
 */
public final class NpmAssets {
    /** {@code @vladmandic/human@3.3.6}: its {@code assets/} hold real sample photographs of faces (MIT-licensed package). */
    public static final NpmPackage HUMAN = new NpmPackage(
            "@vladmandic/human",
            "3.3.6",
            "sha512-Nr5mPfq1gQ+uKeXY5uM3Fj8UxvF5CEh2s6txM5wRThqaW0mF9huooOuZSrT8hhGho0hGaXLFdAwfD/2+teCv6A==");

    private NpmAssets() {}

    /**
     * Unpacks every file of {@code pkg} under {@code folder/} (a path inside the package, e.g. {@code assets/}; empty for
     * the whole package) into {@code target/package/folder/...}, unless that folder already holds files. Returns the
     * unpacked folder.
     */
    public static Path unpack(NpmCache cache, NpmPackage pkg, String folder, Path target) {
        Path unpacked = folder.isEmpty()
                ? target.resolve("package")
                : target.resolve("package").resolve(folder);
        if (hasFiles(unpacked)) {
            return unpacked;
        }
        String prefix = "package/" + (folder.isEmpty() || folder.endsWith("/") ? folder : folder + "/");
        Map<String, byte[]> files =
                TarGz.read(cache.fetch(pkg), (String name) -> name.startsWith(prefix) && !name.contains(".."));
        if (files.isEmpty()) {
            throw new ModelException(pkg.spec() + " has no files under " + folder);
        }
        Path tmp = null;
        try {
            Files.createDirectories(target);
            tmp = Files.createTempDirectory(target, ".unpack-");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Path out = tmp.resolve(f.getKey());
                Files.createDirectories(out.getParent());
                Files.write(out, f.getValue());
            }
            Files.createDirectories(unpacked.getParent());
            if (!hasFiles(unpacked)) { // another process may have unpacked it meanwhile
                FileTrees.delete(unpacked);
                Files.move(
                        tmp.resolve(prefix.substring(0, prefix.length() - 1)),
                        unpacked,
                        StandardCopyOption.ATOMIC_MOVE);
            }
            return unpacked;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + pkg.spec() + " " + folder + " into " + target, e);
        } finally {
            if (tmp != null) {
                FileTrees.delete(tmp);
            }
        }
    }

    private static boolean hasFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }
}
