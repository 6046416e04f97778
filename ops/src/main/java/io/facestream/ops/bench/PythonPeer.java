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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The process behind a benchmark's Python peer (OpenCV DNN): a script shipped in this package, extracted to a temporary
 * file and run by the Python that has OpenCV. It answers a "ready" line with its OpenCV version, then one JSON line per
 * JSON request, and stays up for the whole benchmark so its rows interleave with ours; a reply with {@code error} is
 * the script's own message. Its stderr goes to ours.
 */
final class PythonPeer implements AutoCloseable {
    private static final ObjectMapper JSON = Json.mapper();

    private final String name;
    private final Process process;
    private final BufferedReader out;
    private final BufferedWriter in;
    private final Path script;
    private final String version;

    private PythonPeer(String name, Process process, Path script) throws IOException {
        this.name = name;
        this.process = process;
        this.script = script;
        this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        this.version = read().path("version").asText("?");
    }

    /**
     * Starts {@code python} on the resource {@code script} of this package with {@code args}; fails with the script's
     * own message when OpenCV for Python is missing, and with what to install when {@code python} cannot be started.
     *
     * @param name how errors name the peer ("OpenCV DNN peer")
     */
    static PythonPeer start(String name, String python, String script, List<String> args) {
        Path file = extract(script);
        List<String> cmd = new ArrayList<>(List.of(python, file.toString()));
        cmd.addAll(args);
        Process p;
        try {
            p = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            deleteQuietly(file);
            throw new CommandFailed(
                    "cannot start " + python + " for the " + name + " (install python3 and python3-opencv, or pass "
                            + "--peers none): " + e.getMessage(),
                    e);
        }
        try {
            return new PythonPeer(name, p, file);
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            deleteQuietly(file);
            throw e instanceof CommandFailed c ? c : new CommandFailed(name + ": " + e.getMessage(), e);
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

    /** The OpenCV version the script reported when it started. */
    String version() {
        return version;
    }

    /** Sends one request and waits for its reply. */
    JsonNode ask(Object request) {
        try {
            in.write(JSON.writeValueAsString(request));
            in.newLine();
            in.flush();
            return read();
        } catch (IOException e) {
            throw new CommandFailed(name + ": " + e.getMessage(), e);
        }
    }

    private JsonNode read() throws IOException {
        String line = out.readLine();
        if (line == null) {
            throw new CommandFailed("the " + name + " exited without answering (exit status " + exitStatus()
                    + "; its stderr is above)");
        }
        JsonNode n = JSON.readTree(line);
        if (n.has("error")) {
            throw new CommandFailed(name + ": " + n.get("error").asText());
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

    private static Path extract(String script) {
        try (InputStream s = PythonPeer.class.getResourceAsStream(script)) {
            if (s == null) {
                throw new IllegalStateException(script + " is missing from the ops jar: rebuild the ops module");
            }
            Path p = Files.createTempFile("facestream-" + script.replace(".py", "") + "-", ".py");
            Files.write(p, s.readAllBytes());
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + script, e);
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
