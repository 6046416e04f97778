package io.facestream.eval.features;

import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FacePath;
import io.facestream.eval.ijbs.FeatureSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * IJB-S faces from a {@link FeatureFolder}. Every path is parsed when the folder is opened, so a bad line fails
 * before any scoring starts; a path listed twice is refused (the reference would silently keep the last still).
 */
public final class FeatureFolderSource implements FeatureSource {
    private final FeatureFolder folder;
    private final List<FacePath> faces;

    private FeatureFolderSource(FeatureFolder folder, List<FacePath> faces) {
        this.folder = folder;
        this.faces = faces;
    }

    public static FeatureFolderSource open(java.nio.file.Path dir) {
        FeatureFolder folder = FeatureFolder.open(dir);
        List<String> paths = folder.paths();
        FacePath[] parsed = new FacePath[paths.size()];
        Map<FacePath, Integer> seen = new HashMap<>();
        for (int i = 0; i < parsed.length; i++) {
            try {
                parsed[i] = FacePath.parse(paths.get(i));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(
                        dir.resolve(FeatureFolder.PATHS) + ":" + (i + 1) + ": " + e.getMessage(), e);
            }
            Integer first = seen.putIfAbsent(parsed[i], i + 1);
            if (first != null) {
                throw new IllegalArgumentException(dir.resolve(FeatureFolder.PATHS) + ":" + (i + 1) + ": '"
                        + paths.get(i) + "' names the same face as line " + first);
            }
        }
        return new FeatureFolderSource(folder, List.of(parsed));
    }

    @Override
    public int dim() {
        return folder.dim();
    }

    @Override
    public long faces() {
        return faces.size();
    }

    @Override
    public void forEach(Consumer<Face> sink) {
        folder.forEachRow((index, path, row) -> sink.accept(Face.of(faces.get(index), row)));
    }

    @Override
    public String describe() {
        return "features " + folder.folder() + " (" + folder.dim() + "-d, " + faces.size() + " faces)";
    }
}
