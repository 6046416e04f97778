package io.facestream.core.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Test helper: a main class in a separate JVM on the test's class path, for tests that must kill a real process.
 * The work is done by {@link io.facestream.core.process.ChildJvm}, which {@code facestream chaos} uses too.
 */
public final class ChildJvm {
    private ChildJvm() {}

    public static Process start(Path workDir, Path log, String mainClass, List<String> args) throws IOException {
        return io.facestream.core.process.ChildJvm.start(workDir, log, mainClass, args);
    }

    /** The project's JVM flags as a java argument file ({@code jvm.options} at the root, passed by surefire). */
    public static String jvmOptions() {
        return io.facestream.core.process.ChildJvm.jvmOptions();
    }
}
