package io.facestream.ops.cli;

import picocli.CommandLine.Option;

/** {@code --port} of the commands that serve the API and the page ({@code up}, {@code match}). */
public final class ApiOptions {
    @Option(names = "--port", paramLabel = "PORT", description = "API and page port (default: api.port = 8080; 0 = any free)")
    Integer port;

    /** {@code api.port} and the value to set, for {@link ServiceOptions#load(Object...)}. */
    public Object[] flags() {
        return new Object[] {"api.port", port};
    }
}
