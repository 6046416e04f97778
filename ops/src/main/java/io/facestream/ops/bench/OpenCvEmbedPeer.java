package io.facestream.ops.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.facestream.core.json.Json;
import io.facestream.ops.cli.CommandFailed;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The OpenCV DNN peer of {@code bench embed}: a Python process ({@code opencv_embed.py}, shipped in this package)
 * that loads the same ONNX file and the same packed input tensor, and times {@code net.forward()} itself, so neither
 * Python's start-up nor this pipe is counted. It stays up for the whole benchmark and is asked for one measurement at
 * a time, which lets its rows interleave with ONNX Runtime's. Protocol: the script's docstring.
 */
final class OpenCvEmbedPeer implements AutoCloseable {
    static final String SCRIPT = "opencv_embed.py";

    private static final ObjectMapper JSON = Json.mapper();

    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final Path script;
    private final String version;

    /** One measurement: seconds per batch of every timed run, and the first face's raw output (to check agreement). */
    record Result(List<Double> seconds, float[] embedding0) {}

    private OpenCvEmbedPeer(Process process, Path script) throws IOException {
        this.process = process;
        this.script = script;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        JsonNode ready = read();
        this.version = ready.path("version").asText("?");
    }

    /**
     * Starts {@code python} on the shipped script with the model and the input tensor ({@code shape[0]} faces, written
     * by {@link #writeInput}); fails with the script's own message when OpenCV for Python is missing.
     */
    static OpenCvEmbedPeer start(String python, Path model, Path input, long[] shape) {
        if (shape.length != 4) {
            throw new IllegalArgumentException("the peer takes a 4-d input, got " + shape.length + " dimensions");
        }
        Path script = extractScript();
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), model.toString(), input.toString()));
        for (long d : shape) {
            cmd.add(Long.toString(d));
        }
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            deleteQuietly(script);
            throw new CommandFailed(
                    "cannot start " + python + " for the OpenCV peer (install python3 and python3-opencv, or pass "
                            + "--peers none): " + e.getMessage(),
                    e);
        }
        try {
            return new OpenCvEmbedPeer(p, script);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            deleteQuietly(script);
            throw e instanceof CommandFailed c ? c : new CommandFailed("OpenCV peer: " + e.getMessage(), e);
        }
    }

    /**
     * The Python that has OpenCV: {@code python3} on the PATH if it imports {@code cv2}, else Debian's
     * {@code /usr/bin/python3} (where {@code apt-get install python3-opencv} puts it, which a pyenv or venv
     * {@code python3} on the PATH does not see); {@code python3} when neither does, so the error names the fix.
     */
    static String python() {
        for (String candidate : List.of("python3", "/usr/bin/python3")) {
            try {
                Process p = new ProcessBuilder(candidate, "-c", "import cv2, numpy")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return candidate;
                }
                p.destroyForcibly();
            } catch (IOException e) {
                // not installed: try the next
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return "python3";
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
        return version;
    }

    /** Runs {@code warmup} untimed then {@code runs} timed forward passes of the first {@code batch} faces. */
    Result measure(int batch, int threads, int warmup, int runs) {
        try {
            in.write(JSON.writeValueAsString(
                    Map.of("batch", batch, "threads", threads, "warmup", warmup, "runs", runs)));
            in.newLine();
            in.flush();
            JsonNode r = read();
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
        } catch (IOException e) {
            throw new CommandFailed("OpenCV peer: " + e.getMessage(), e);
        }
    }

    private JsonNode read() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new CommandFailed(
                    "the OpenCV peer exited without answering (exit status " + exitStatus() + "; its stderr is above)");
        }
        JsonNode n = JSON.readTree(line);
        if (n.has("error")) {
            throw new CommandFailed("OpenCV peer: " + n.get("error").asText());
        }
        return n;
    }

    private String exitStatus() {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "still running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public void close() {
        try {
            in.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            deleteQuietly(script);
        }
    }

    private static Path extractScript() {
        try (InputStream s = OpenCvEmbedPeer.class.getResourceAsStream(SCRIPT)) {
            if (s == null) {
                throw new IllegalStateException(SCRIPT + " is missing from the ops jar: rebuild the ops module");
            }
            Path p = Files.createTempFile("facestream-opencv-embed", ".py");
            Files.write(p, s.readAllBytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + SCRIPT, e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }
}
