package io.facestream.core.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts a main class in a separate JVM on this test's class path, for tests that must kill a real process.
 *
 * <p>The class path travels in a manifest-only "pathing" jar rather than on the command line: ONNX Runtime 1.29
 * crashes (SIGSEGV while loading its native library) in a JVM whose {@code -cp} argument is longer than about 4 KB,
 * and a test class path is far longer than that.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(Path workDir, Path log, String mainClass, List<String> args) throws IOException {
        Path pathingJar = workDir.resolve("classpath.jar");
        if (!Files.exists(pathingJar)) {
            writePathingJar(pathingJar, System.getProperty("java.class.path"));
        }
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvmOptions(), "-Xmx1g",
                "-cp", pathingJar.toString(), mainClass));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** The project's JVM flags as a java argument file ({@code jvm.options} at the root, passed by surefire). */
    public static String jvmOptions() {
        String file = System.getProperty("facestream.jvm.options");
        if (file == null || !Files.isRegularFile(Path.of(file))) {
            throw new IllegalStateException("system property facestream.jvm.options does not name the project's jvm.options ("
                    + file + "); run the tests through Maven");
        }
        return "@" + file;
    }

    private static void writePathingJar(Path jar, String classPath) throws IOException {
        StringBuilder entries = new StringBuilder();
        for (String element : classPath.split(java.io.File.pathSeparator)) {
            if (element.isBlank()) {
                continue;
            }
            Path p = Path.of(element).toAbsolutePath();
            String uri = p.toUri().toString(); // directories end with '/', as the manifest requires
            entries.append(entries.isEmpty() ? "" : " ").append(uri);
        }
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, entries.toString());
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.flush();
        }
    }
}
