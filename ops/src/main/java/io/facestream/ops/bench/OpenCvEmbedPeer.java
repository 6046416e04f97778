package io.facestream.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.ops.cli.CommandFailed;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The OpenCV DNN peer of {@code bench embed}: a Python process ({@code opencv_embed.py}, shipped in this package)
 * that loads the same ONNX file and the same packed input tensor, and times {@code net.forward()} itself, so neither
 * Python's start-up nor this pipe is counted. It stays up for the whole benchmark and is asked for one measurement at
 * a time, which lets its rows interleave with ONNX Runtime's. Protocol: the script's docstring.
 */
final class OpenCvEmbedPeer implements AutoCloseable {
    static final String SCRIPT = "opencv_embed.py";
    private static final String NAME = "OpenCV peer";

    private final PythonPeer peer;

    /** One measurement: seconds per batch of every timed run, and the first face's raw output (to check agreement). */
    record Result(List<Double> seconds, float[] embedding0) {}

    private OpenCvEmbedPeer(PythonPeer peer) {
        this.peer = peer;
    }

    /**
     * Starts {@code python} on the shipped script with the model and the input tensor ({@code shape[0]} faces, written
     * by {@link #writeInput}); fails with the script's own message when OpenCV for Python is missing.
     */
    static OpenCvEmbedPeer start(String python, Path model, Path input, long[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("the peer takes a 4-d input, got " + shape.length + " dimensions");
        }
        List<String> args = new ArrayList<>(List.of(model.toString(), input.toString()));
        for (long d : shape) {
            args.add(Long.toString(d));
        }
        return new OpenCvEmbedPeer(PythonPeer.start(NAME, python, SCRIPT, args));
    }

    /** Writes {@code data} as raw little-endian float32, the script's input format. */
    static void writeInput(Path file, float[] data) {
        ByteBuffer b = ByteBuffer.allocate(data.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(data);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            while (b.hasRemaining()) {
                ch.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the peer's input " + file, e);
        }
    }

    String version() {
        return peer.version();
    }

    /** Runs {@code warmup} untimed then {@code runs} timed forward passes of the first {@code batch} faces. */
    Result measure(int batch, int threads, int warmup, int runs) {
        JsonNode r = peer.ask(Map.of("batch", batch, "threads", threads, "warmup", warmup, "runs", runs));
        if (r.path("batch").asInt() != batch || r.path("threads").asInt() != threads) {
            throw new CommandFailed("OpenCV peer answered for another request: " + r);
        }
        List<Double> seconds = new ArrayList<>();
        r.path("seconds").forEach(v -> seconds.add(v.asDouble()));
        if (seconds.size() != runs) {
            throw new CommandFailed("OpenCV peer timed " + seconds.size() + " runs, " + runs + " were asked");
        }
        JsonNode e = r.path("embedding0");
        float[] embedding = new float[e.size()];
        for (int i = 0; i < embedding.length; i++) {
            embedding[i] = (float) e.get(i).asDouble();
        }
        return new Result(seconds, embedding);
    }

    @Override
    public void close() {
        peer.close();
    }
}
