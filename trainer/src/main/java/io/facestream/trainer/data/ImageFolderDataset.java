package io.facestream.trainer.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * One folder per identity ({@code <root>/<identity>/*.jpg}), like torchvision's ImageFolder: the class index is the
 * position of the folder name in lexicographic string order ("0", "1", "10", "100", ...; reference §4.1b).
 * Files that are not images by extension are counted as bad records, not silently ignored.
 */
public final class ImageFolderDataset implements FaceDataset {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp");

    private final Path root;
    private final List<Path> files;
    private final int[] labels;
    private final List<String> identities;
    private final BadRecords bad;

    private ImageFolderDataset(Path root, List<Path> files, int[] labels, List<String> identities, BadRecords bad) {
        this.root = root;
        this.files = files;
        this.labels = labels;
        this.identities = identities;
        this.bad = bad;
    }

    public static ImageFolderDataset open(Path root) {
        BadRecords bad = new BadRecords();
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<String> identities;
        try (Stream<Path> dirs = Files.list(root)) {
            identities = dirs.filter(Files::isDirectory)
                    .map(p -> p.getFileName().toString())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list image folder " + root, e);
        }
        if (identities.isEmpty()) {
            throw new IllegalArgumentException(
                    "image folder " + root + " has no identity sub-folders (expected <root>/<identity>/*.jpg)");
        }
        for (int c = 0; c < identities.size(); c++) {
            try (Stream<Path> images = Files.list(root.resolve(identities.get(c)))) {
                for (Path p : images.sorted().toList()) {
                    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    if (Files.isRegularFile(p) && EXTENSIONS.stream().anyMatch(name::endsWith)) {
                        files.add(p);
                        labels.add(c);
                    } else {
                        bad.add("not an image file", p.toString());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root.resolve(identities.get(c)), e);
            }
        }
        return new ImageFolderDataset(
                root, files, labels.stream().mapToInt(Integer::intValue).toArray(), identities, bad);
    }

    @Override
    public int size() {
        return files.size();
    }

    @Override
    public int classes() {
        return identities.size();
    }

    public List<String> identities() {
        return identities;
    }

    @Override
    public FaceRecord read(int index) {
        Path p = files.get(index);
        try {
            return new FaceRecord(labels[index], Files.readAllBytes(p), p.toString());
        } catch (IOException e) {
            throw new BadRecordException(p + ": unreadable (" + e.getMessage() + ")");
        }
    }

    @Override
    public BadRecords badRecords() {
        return bad;
    }

    @Override
    public String describe() {
        return "image folder " + root + ": " + size() + " images, " + classes() + " identities";
    }

    @Override
    public void close() {}
}
