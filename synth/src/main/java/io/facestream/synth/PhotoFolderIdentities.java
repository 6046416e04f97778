package io.facestream.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real people: one sub-folder per identity, each photo in it one look (its first usable face). Subjects are taken
 * in sub-folder name order; asking for more subjects than there are usable folders is an error, not a silent cut.
 */
public final class PhotoFolderIdentities implements IdentitySource {
    private final Path root;
    private final DonorFinder finder;

    public PhotoFolderIdentities(Path root, DonorFinder finder) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("--faces-from " + root + " is not a directory");
        }
        this.root = root;
        this.finder = finder;
    }

    @Override
    public List<Identity> identities(int count, long seed) {
        List<Identity> out = new ArrayList<>();
        for (Path dir : list(root).stream().filter(Files::isDirectory).toList()) {
            if (out.size() == count) {
                break;
            }
            List<Look> looks = new ArrayList<>();
            for (Path photo :
                    list(dir).stream().filter(PhotoFolderIdentities::isImage).toList()) {
                List<DonorFace> faces = finder.find(photo);
                if (!faces.isEmpty()) {
                    looks.add(new Look(faces.getFirst().face(), Canonical.landmarks()));
                }
            }
            if (!looks.isEmpty()) {
                out.add(new Identity(out.size() + 1, "photos of " + dir.getFileName(), looks));
            }
        }
        if (out.size() < count) {
            throw new IllegalArgumentException("--faces-from " + root + " has " + out.size()
                    + " sub-folders with a detectable frontal face, but " + count + " subjects were asked for");
        }
        return out;
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png") || n.endsWith(".bmp");
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @Override
    public String describe() {
        return "photo folders under " + root;
    }
}
