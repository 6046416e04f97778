package io.facestream.match.api;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Multipart uploads (enrolment and search photos: faces) are files in {@code api.upload-dir} while a request runs, and
 * Vert.x deletes them when it ends. A process that died mid-request leaves its uploads behind; the API removes them
 * when it starts. Only files older than {@link #MIN_AGE} go, so that another process sharing the directory keeps the
 * uploads of the requests it is serving.
 */
public final class StaleUploads {
    /** Far longer than any request (uploads are limited to api.max-upload-bytes). */
    public static final Duration MIN_AGE = Duration.ofMinutes(10);

    private static final Logger LOG = LoggerFactory.getLogger(StaleUploads.class);

    private StaleUploads() {}

    /** Deletes the regular files in {@code dir} last modified before now − {@link #MIN_AGE}; returns how many. */
    public static int remove(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        Instant before = Instant.now().minus(MIN_AGE);
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                try {
                    if (Files.isRegularFile(f)
                            && Files.getLastModifiedTime(f).toInstant().isBefore(before)) {
                        Files.delete(f);
                        removed++;
                    }
                } catch (IOException e) {
                    LOG.warn(
                            "cannot remove the stale upload {} ({}): delete it by hand, it may hold a face",
                            f,
                            e.toString());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the upload directory {} ({}): stale uploads were not removed", dir, e.toString());
        }
        if (removed > 0) {
            LOG.info("removed {} stale upload(s) left in {} by an earlier process", removed, dir);
        }
        return removed;
    }
}
