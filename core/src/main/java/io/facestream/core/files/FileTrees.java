package io.facestream.core.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Whole directory trees: the one place that deletes a folder with everything in it. */
public final class FileTrees {
    private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {}

    /** Deletes {@code dir} and everything below it; a missing folder is not an error. */
    public static void delete(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }

    /**
     * Deletes a temporary folder that is no longer needed, logging instead of failing: a leftover costs disk space,
     * not correctness, and must not hide the error that made the caller clean up. Null or missing is fine.
     */
    public static void deleteLeftover(Path dir) {
        if (dir == null) {
            return;
        }
        try {
            delete(dir);
        } catch (UncheckedIOException e) {
            LOG.warn(
                    "cannot remove {} (delete it by hand): {}",
                    dir,
                    e.getCause().getMessage());
        }
    }
}
