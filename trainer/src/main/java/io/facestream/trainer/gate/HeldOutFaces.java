package io.facestream.trainer.gate;

import io.facestream.embed.align.AlignedCropFile;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Aligned faces of identities the candidate was not trained on, in the trainer's image-folder layout
 * ({@code root/<identity>/*.jpg|png}). They are the gate's verification set: each model embeds every face once, and
 * {@link VerificationPairs} built with the same seed pair them up identically for both models. A face that cannot
 * be decoded is an error naming it: a gate that quietly scored fewer faces for one model would be unfair.
 */
public final class HeldOutFaces {
    private final Path root;
    private final Map<String, List<String>> facesByIdentity;

    public HeldOutFaces(Path root) {
        if (!Files.isDirectory(root)) {
            throw new IllegalArgumentException("held-out faces folder " + root + " does not exist");
        }
        this.root = root;
        Map<String, List<String>> byId = new LinkedHashMap<>();
        try (Stream<Path> ids = Files.list(root)) {
            for (Path id : ids.filter(Files::isDirectory).sorted().toList()) {
                try (Stream<Path> files = Files.list(id)) {
                    List<String> faces = files.filter(HeldOutFaces::isImage)
                            .sorted()
                            .map(f -> root.relativize(f).toString())
                            .toList();
                    if (!faces.isEmpty()) {
                        byId.put(id.getFileName().toString(), faces);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list held-out faces in " + root, e);
        }
        if (byId.size() < 2) {
            throw new IllegalArgumentException("held-out faces folder " + root
                    + " needs images of at least 2 identities" + " (<root>/<identity>/*.jpg), found " + byId.size());
        }
        this.facesByIdentity = Map.copyOf(byId);
    }

    public Path root() {
        return root;
    }

    public Map<String, List<String>> facesByIdentity() {
        return facesByIdentity;
    }

    public int faces() {
        return facesByIdentity.values().stream().mapToInt(List::size).sum();
    }

    /** Raw features of every face, by its path relative to the root. */
    public Map<String, float[]> embed(FaceEmbedder embedder) {
        List<String> keys =
                facesByIdentity.values().stream().flatMap(List::stream).sorted().toList();
        Map<String, float[]> out = new LinkedHashMap<>();
        int batch = Math.max(1, embedder.maxBatch());
        for (int start = 0; start < keys.size(); start += batch) {
            List<String> part = keys.subList(start, Math.min(keys.size(), start + batch));
            List<Mat> crops = new ArrayList<>(part.size());
            try {
                for (String key : part) {
                    crops.add(read(key, embedder.inputWidth(), embedder.inputHeight()));
                }
                List<Embedding> e = embedder.embed(crops);
                for (int i = 0; i < part.size(); i++) {
                    out.put(part.get(i), e.get(i).raw());
                }
            } finally {
                crops.forEach(Mat::close);
            }
        }
        return out;
    }

    private Mat read(String key, int width, int height) {
        return AlignedCropFile.read(root.resolve(key), width, height, "held-out face image");
    }

    private static boolean isImage(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(f) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
