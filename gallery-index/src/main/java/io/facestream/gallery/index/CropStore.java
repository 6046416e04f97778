package io.facestream.gallery.index;

import io.facestream.core.files.FileTrees;
import io.facestream.gallery.model.GalleryKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.lucene.util.IOUtils;

/**
 * The aligned crops of the media, as JPEG files next to the index: {@code <root>/<gallery>/<subject>/<media>/<n>.jpg}.
 * The directory tree mirrors the key hierarchy, so a tombstone on any level removes one directory. Identifiers are
 * restricted to filesystem-safe characters (see the model's name rules), so keys are used verbatim.
 * Writes are idempotent: replaying a record after a crash rewrites the same files.
 *
 * <p>Durability: every file written and every directory whose entries changed since the last {@link #sync} is
 * remembered; the index calls {@link #sync} right before each Lucene commit, so a commit never refers to crops that
 * are still only in the page cache (a power cut after the commit would otherwise leave a medium without its crops,
 * and the replica would not replay it).
 */
public final class CropStore {
    private final Path root;
    private final Set<Path> unsynced = new HashSet<>();

    public CropStore(Path root) {
        this.root = root;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create crop store " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    public Path directory(GalleryKey key) {
        return root.resolve(key.text());
    }

    /** Replaces the crops of a medium (a re-put with fewer crops must not leave stale files). */
    public List<String> write(GalleryKey.OfMedium key, List<byte[]> crops) {
        delete(key);
        if (crops.isEmpty()) {
            return List.of();
        }
        Path dir = directory(key);
        List<String> ids = new ArrayList<>();
        try {
            createDirectories(dir);
            for (int i = 0; i < crops.size(); i++) {
                String name = i + ".jpg";
                Path file = dir.resolve(name);
                Files.write(file, crops.get(i));
                remember(file);
                ids.add(key.text() + "/" + name);
            }
            remember(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write crops of " + key.text() + " under " + dir, e);
        }
        return ids;
    }

    /** Creates a directory and its missing parents, remembering each parent whose entries changed. */
    private void createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir; p != null && !p.equals(root) && !Files.isDirectory(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(dir);
        for (Path p : missing) {
            remember(p.getParent());
        }
    }

    private synchronized void remember(Path p) {
        unsynced.add(p);
    }

    /** Paths written or changed since the last {@link #sync} (for tests). */
    public synchronized Set<Path> unsynced() {
        return Set.copyOf(unsynced);
    }

    /**
     * Fsyncs every crop file written since the last call, then the directories whose entries changed (deepest
     * first). A path deleted since it was written needs nothing. Paths that fail stay remembered for the next call.
     */
    public synchronized void sync() {
        List<Path> files = new ArrayList<>();
        List<Path> dirs = new ArrayList<>();
        for (Path p : unsynced) {
            (Files.isDirectory(p) ? dirs : files).add(p);
        }
        dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
        for (Path p : files) {
            fsync(p, false);
        }
        for (Path p : dirs) {
            fsync(p, true);
        }
    }

    private void fsync(Path p, boolean isDir) {
        try {
            IOUtils.fsync(p, isDir);
        } catch (NoSuchFileException gone) {
            // deleted since it was written: nothing to make durable
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fsync crop store path " + p, e);
        }
        unsynced.remove(p);
    }

    /** Deletes every crop (a rebuild starts from an empty store). */
    public void clear() {
        FileTrees.delete(root);
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create crop store " + root, e);
        }
        synchronized (this) {
            unsynced.clear();
            unsynced.add(root);
            unsynced.add(root.getParent());
        }
    }

    /** The crop files of a medium, in their original order. */
    public List<Path> list(GalleryKey.OfMedium key) {
        Path dir = directory(key);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jpg"))
                    .sorted(Comparator.comparingInt(CropStore::ordinal))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list crops of " + key.text(), e);
        }
    }

    public List<byte[]> read(GalleryKey.OfMedium key) {
        List<byte[]> out = new ArrayList<>();
        for (Path p : list(key)) {
            try {
                out.add(Files.readAllBytes(p));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read crop " + p, e);
            }
        }
        return out;
    }

    /** Removes the crops at and below a key. */
    public void delete(GalleryKey key) {
        Path dir = directory(key);
        if (Files.exists(dir)) {
            FileTrees.delete(dir);
            remember(dir.getParent()); // the removal is durable with the commit that drops the records
        }
    }

    private static int ordinal(Path p) {
        String n = p.getFileName().toString();
        try {
            return Integer.parseInt(n.substring(0, n.length() - 4));
        } catch (NumberFormatException e) {
            return Integer.MAX_VALUE;
        }
    }
}
