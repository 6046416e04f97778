package io.facestream.synth;

import io.facestream.embed.model.zoo.NpmAssets;
import io.facestream.embed.model.zoo.NpmCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;

/**
 * The default donor photographs, read where they lie and never copied into the output: the project's shared test
 * photos ({@code <paths.shared>/data/photos}) when present, and the sample images of the npm package
 * {@code @vladmandic/human@3.3.6} ({@code assets/}), fetched with npm (integrity checked) and unpacked under the
 * facestream cache on first use.
 */
public final class DonorPhotos {
    public static final String HUMAN = "human-3.3.6/package/assets";

    private DonorPhotos() {}

    public static List<Path> defaults(Path shared, Path cache) {
        List<Path> out = new ArrayList<>();
        if (shared != null) {
            out.addAll(images(shared.resolve("data/photos")));
        }
        out.addAll(images(humanAssets(cache)));
        if (out.isEmpty()) {
            throw new IllegalStateException("no donor photos: neither "
                    + (shared == null ? "<paths.shared>" : shared.resolve("data/photos"))
                    + " nor " + cache.resolve("npm").resolve(HUMAN) + " exists; unpack @vladmandic/human@3.3.6 there "
                    + "(docs/synth.md) or pass --faces-from DIR");
        }
        return out;
    }

    /** The human package's sample photos, unpacked on first use; an empty folder when npm cannot fetch it. */
    static Path humanAssets(Path cache) {
        Path assets = cache.resolve("npm").resolve(HUMAN);
        if (!images(assets).isEmpty()) {
            return assets;
        }
        try {
            return NpmAssets.unpack(
                    new NpmCache(cache.resolve("npm")),
                    NpmAssets.HUMAN,
                    "assets",
                    cache.resolve("npm").resolve("human-3.3.6"));
        } catch (RuntimeException e) {
            LoggerFactory.getLogger(DonorPhotos.class)
                    .warn("cannot fetch the donor photos of {}: {}", NpmAssets.HUMAN.spec(), e.getMessage());
            return assets;
        }
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
