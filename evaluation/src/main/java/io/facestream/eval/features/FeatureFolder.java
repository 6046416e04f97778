package io.facestream.eval.features;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Precomputed features from any extractor ({@code --features DIR}): {@code paths.txt} (one image path per line),
 * {@code features.f32} (one raw float32 little-endian row per path, same order) and {@code meta.json}
 * ({@code {"dim": D}}). Sizes are checked when opened; values are checked (finite) as rows are read.
 */
public final class FeatureFolder {
    public static final String PATHS = "paths.txt";
    public static final String FEATURES = "features.f32";
    public static final String META = "meta.json";

    /** Rows are streamed in blocks of this many bytes (rounded to whole rows), so any file size works. */
    private static final int BLOCK_BYTES = 8 << 20;

    private final Path folder;
    private final List<String> paths;
    private final int dim;

    private FeatureFolder(Path folder, List<String> paths, int dim) {
        this.folder = folder;
        this.paths = paths;
        this.dim = dim;
    }

    /** Called for each row in file order with a fresh array. */
    @FunctionalInterface
    public interface RowVisitor {
        void visit(int index, String path, float[] row);
    }

    public static FeatureFolder open(Path folder) {
        if (!Files.isDirectory(folder)) {
            throw new IllegalArgumentException("features folder " + folder + " does not exist or is not a directory");
        }
        for (String name : List.of(PATHS, FEATURES, META)) {
            if (!Files.isRegularFile(folder.resolve(name))) {
                throw new IllegalArgumentException("features folder " + folder + " has no " + name
                        + " (expected paths.txt, features.f32 and meta.json)");
            }
        }
        int dim = readDim(folder.resolve(META));
        List<String> paths = readPaths(folder.resolve(PATHS));
        long bytes;
        try {
            bytes = Files.size(folder.resolve(FEATURES));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + folder.resolve(FEATURES), e);
        }
        long expected = (long) paths.size() * dim * Float.BYTES;
        if (bytes != expected) {
            throw new IllegalArgumentException(
                    folder.resolve(FEATURES) + " has " + bytes + " bytes, expected " + expected
                            + " (" + paths.size() + " paths × dim " + dim + " × 4 bytes)"
                            + (bytes % ((long) dim * Float.BYTES) == 0
                                    ? "; it holds " + bytes / ((long) dim * Float.BYTES) + " rows"
                                    : ""));
        }
        return new FeatureFolder(folder, paths, dim);
    }

    private static int readDim(Path meta) {
        JsonNode node;
        try {
            node = Json.mapper().readTree(meta.toFile());
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalArgumentException(meta + " is not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + meta, e);
        }
        JsonNode dim = node == null ? null : node.get("dim");
        if (dim == null || !dim.canConvertToInt() || !dim.isIntegralNumber() || dim.intValue() <= 0) {
            throw new IllegalArgumentException(meta + " must be {\"dim\": D} with a positive integer D, got " + node);
        }
        return dim.intValue();
    }

    private static List<String> readPaths(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                // A blank line would still own a feature row and shift every later path onto the wrong row.
                throw new IllegalArgumentException(
                        file + ":" + (i + 1) + ": blank line (every line names the image of one feature row)");
            }
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(file + " lists no paths");
        }
        return lines.stream().map(String::strip).toList();
    }

    public Path folder() {
        return folder;
    }

    public int dim() {
        return dim;
    }

    public int size() {
        return paths.size();
    }

    public List<String> paths() {
        return paths;
    }

    /** Streams every row in order; a NaN or infinite value is an error naming the row and its path. */
    public void forEachRow(RowVisitor visitor) {
        Path file = folder.resolve(FEATURES);
        int rowBytes = dim * Float.BYTES;
        ByteBuffer block = ByteBuffer.allocate(Math.max(1, BLOCK_BYTES / rowBytes) * rowBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            int index = 0;
            while (index < paths.size()) {
                block.clear();
                int rows = Math.min(block.capacity() / rowBytes, paths.size() - index);
                block.limit(rows * rowBytes);
                while (block.hasRemaining()) {
                    if (channel.read(block) < 0) {
                        throw new IllegalArgumentException(
                                file + " ended early at row " + index + " (file changed while reading?)");
                    }
                }
                block.flip();
                java.nio.FloatBuffer floats = block.asFloatBuffer();
                for (int r = 0; r < rows; r++, index++) {
                    float[] row = new float[dim];
                    floats.get(r * dim, row);
                    for (float v : row) {
                        if (!Float.isFinite(v)) {
                            throw new IllegalArgumentException(file + ": row " + (index + 1) + " (" + paths.get(index)
                                    + ") has a non-finite value " + v);
                        }
                    }
                    visitor.visit(index, paths.get(index), row);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
