package io.facestream.ops.synth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The default donor photographs, read where they lie and never copied into the output: the project's shared test
 * photos ({@code <facestream.shared>/data/photos}) when present, and the sample images of the npm package
 * {@code @vladmandic/human@3.3.6} ({@code assets/}) unpacked under the facestream cache — see docs/synth.md for the
 * one {@code npm pack} that puts them there.
 */
public final class DonorPhotos {
    public static final String HUMAN = "human-3.3.6/package/assets";

    private DonorPhotos() {
    }

    public static List<Path> defaults(Path shared, Path cache) {
        List<Path> out = new ArrayList<>();
        if (shared != null) {
            out.addAll(images(shared.resolve("data/photos")));
        }
        out.addAll(images(cache.resolve("npm").resolve(HUMAN)));
        if (out.isEmpty()) {
            throw new IllegalStateException("no donor photos: neither " + (shared == null ? "<facestream.shared>" : shared.resolve("data/photos"))
                    + " nor " + cache.resolve("npm").resolve(HUMAN) + " exists; unpack @vladmandic/human@3.3.6 there "
                    + "(docs/synth.md) or pass --faces-from DIR");
        }
        return out;
    }

    public static List<Path> images(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(PhotoFolderIdentities::isImage).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
