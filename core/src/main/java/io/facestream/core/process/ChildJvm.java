package io.facestream.core.process;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Starts a main class in a separate JVM on this JVM's class path, for the tests and the fault-injection campaign
 * ({@code facestream chaos}) that must kill, stop and resume a real process.
 *
 * <p>The class path travels in a manifest-only "pathing" jar rather than on the command line: ONNX Runtime 1.29
 * crashes (SIGSEGV while loading its native library) in a JVM whose {@code -cp} argument is longer than about 4 KB,
 * and a test class path is far longer than that.
 */
public final class ChildJvm {
    /** System property naming the project's JVM flags file ({@code jvm.options}); Maven's test runs set it. */
    public static final String JVM_OPTIONS_PROPERTY = "facestream.jvm.options";

    private ChildJvm() {}

    /** Starts {@code mainClass} with the project's JVM flags and a 1 GB heap; stdout and stderr go to {@code log}. */
    public static Process start(Path workDir, Path log, String mainClass, List<String> args) throws IOException {
        return start(workDir, log, mainClass, List.of("-Xmx1g"), args);
    }

    /** As {@link #start(Path, Path, String, List)} with the given JVM flags after the project's (heap size, ...). */
    public static Process start(Path workDir, Path log, String mainClass, List<String> jvmFlags, List<String> args)
            throws IOException {
        return start(workDir, log, List.of(), mainClass, jvmFlags, args);
    }

    /**
     * As {@link #start(Path, Path, String, List, List)}, the java command run by {@code launcher} (a command prefix
     * such as {@code nsenter … --}, which must exec the command so that signals reach the JVM; empty = none).
     */
    public static Process start(
            Path workDir, Path log, List<String> launcher, String mainClass, List<String> jvmFlags, List<String> args)
            throws IOException {
        Path pathingJar = workDir.resolve("classpath.jar");
        if (!Files.exists(pathingJar)) {
            writePathingJar(pathingJar, System.getProperty("java.class.path"));
        }
        List<String> cmd = new ArrayList<>(launcher);
        cmd.addAll(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), jvmOptions()));
        cmd.addAll(jvmFlags);
        cmd.addAll(List.of("-cp", pathingJar.toString(), mainClass));
        cmd.addAll(args);
        return new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
    }

    /**
     * The project's JVM flags as a java argument file: the file {@value #JVM_OPTIONS_PROPERTY} names (Maven passes
     * the root's {@code jvm.options}), else the {@code jvm.options} of the checkout this code was loaded from
     * ({@code ops/target/facestream.jar} or a module's {@code target/classes}, two or three folders below it).
     */
    public static String jvmOptions() {
        String file = System.getProperty(JVM_OPTIONS_PROPERTY);
        if (file != null && Files.isRegularFile(Path.of(file))) {
            return "@" + file;
        }
        try {
            Path code = Path.of(ChildJvm.class
                            .getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI())
                    .toAbsolutePath();
            for (Path p = code.getParent(); p != null; p = p.getParent()) {
                if (Files.isRegularFile(p.resolve("jvm.options"))) {
                    return "@" + p.resolve("jvm.options");
                }
            }
        } catch (URISyntaxException | RuntimeException e) {
            // no code source to search from: the message below says what to do
        }
        throw new IllegalStateException("cannot find the project's jvm.options: start this JVM with -D"
                + JVM_OPTIONS_PROPERTY + "=<checkout>/jvm.options (" + JVM_OPTIONS_PROPERTY + " was " + file + ")");
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
        Files.createDirectories(jar.toAbsolutePath().getParent());
        Path tmp = jar.resolveSibling(jar.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp);
                JarOutputStream j = new JarOutputStream(out, manifest)) {
            j.flush();
        }
        Files.move(
                tmp,
                jar,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
