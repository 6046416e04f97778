package io.facestream.gallery.index;

import io.facestream.core.files.FileTrees;
import io.facestream.gallery.model.GalleryKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The aligned crops of the media, as JPEG files next to the index: {@code <root>/<gallery>/<subject>/<media>/<n>.jpg}.
 * The directory tree mirrors the key hierarchy, so a tombstone on any level removes one directory. Identifiers are
 * restricted to filesystem-safe characters (see the model's name rules), so keys are used verbatim.
 * Writes are idempotent: replaying a record after a crash rewrites the same files.
 */
public final class CropStore {
    private final Path root;

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
            Files.createDirectories(dir);
            for (int i = 0; i < crops.size(); i++) {
                String name = i + ".jpg";
                Files.write(dir.resolve(name), crops.get(i));
                ids.add(key.text() + "/" + name);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write crops of " + key.text() + " under " + dir, e);
        }
        return ids;
    }

    /** The crop files of a medium, in their original order. */
    public List<Path> list(GalleryKey.OfMedium key) {
        Path dir = directory(key);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".jpg"))
                    .sorted(Comparator.comparingInt(CropStore::ordinal)).toList();
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
        FileTrees.delete(directory(key));
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
