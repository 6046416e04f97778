package io.facestream.embed.model.zoo;

import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.files.FileTrees;
import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * npm package tarballs, downloaded once with the user's own npm client ({@code npm pack NAME@VERSION}; the registry is
 * whatever npm is configured with, never an address in this code) and kept under a cache folder, so tests and CI
 * fetch each package once. Every tarball is checked against its pinned integrity, cached or not.
 */
public final class NpmCache {
    private static final Logger LOG = LoggerFactory.getLogger(NpmCache.class);
    private static final long NPM_TIMEOUT_MINUTES = 10;

    private final Path dir;

    public NpmCache(Path dir) {
        this.dir = dir;
    }

    /** {@code npm/} in the facestream cache ({@code paths.cache}, see {@link FacestreamPaths}). */
    public static NpmCache defaultCache() {
        return new NpmCache(FacestreamPaths.fromEnvironment().cache("npm"));
    }

    public Path dir() {
        return dir;
    }

    /** The verified tarball of a package, running {@code npm pack} when it is not cached yet. */
    public Path fetch(NpmPackage pkg) {
        Path cached = dir.resolve(pkg.tarballName());
        if (Files.isRegularFile(cached)) {
            try {
                Integrity.checkPackage(cached, pkg);
                return cached;
            } catch (ModelException e) {
                LOG.warn("cached {} fails its integrity check; downloading it again", cached);
            }
        }
        Path work = null;
        try {
            Files.createDirectories(dir);
            work = Files.createTempDirectory(dir, ".pack-");
            runNpmPack(pkg, work);
            Path packed = work.resolve(pkg.tarballName());
            if (!Files.isRegularFile(packed)) {
                throw new ModelException(
                        "npm pack " + pkg.spec() + " did not produce " + pkg.tarballName() + " in " + work);
            }
            Integrity.checkPackage(packed, pkg);
            Files.move(packed, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            LOG.info("downloaded {} into {}", pkg.spec(), cached);
            return cached;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + pkg.spec() + " into " + dir, e);
        } finally {
            FileTrees.deleteLeftover(work);
        }
    }

    /** True when an {@code npm} executable answers {@code npm --version}. */
    public static boolean npmAvailable() {
        try {
            Process p = new ProcessBuilder(npmCommand(), "--version")
                    .redirectErrorStream(true)
                    .start();
            p.getInputStream().readAllBytes();
            return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void runNpmPack(NpmPackage pkg, Path work) throws IOException {
        List<String> command =
                List.of(npmCommand(), "pack", pkg.spec(), "--pack-destination", work.toString(), "--silent");
        LOG.info("fetching {} with npm pack", pkg.spec());
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new ModelException(
                    "cannot run npm (" + e.getMessage() + "): install Node.js/npm, or download " + pkg.spec()
                            + " elsewhere and install it with --from PATH",
                    e);
        }
        byte[] output = p.getInputStream().readAllBytes();
        try {
            if (!p.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new ModelException(
                        "npm pack " + pkg.spec() + " did not finish within " + NPM_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ModelException("interrupted while running npm pack " + pkg.spec(), e);
        }
        if (p.exitValue() != 0) {
            throw new ModelException("npm pack " + pkg.spec() + " failed (exit " + p.exitValue() + "): "
                    + new String(output, StandardCharsets.UTF_8).strip());
        }
    }

    private static String npmCommand() {
        return System.getProperty("os.name", "").toLowerCase().startsWith("windows") ? "npm.cmd" : "npm";
    }
}
