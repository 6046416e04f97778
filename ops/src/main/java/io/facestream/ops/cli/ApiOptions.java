package io.facestream.ops.cli;

import picocli.CommandLine.Option;

/** {@code --host} and {@code --port} of the commands that serve the API and the page ({@code up}, {@code match}). */
public final class ApiOptions {
    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "API and page port (default: api.port = 8080; 0 = any free)")
    Integer port;

    @Option(
            names = "--host",
            paramLabel = "ADDRESS",
            description =
                    "Address the API and page listen on (default: api.host = 127.0.0.1, this host only; 0.0.0.0 = every "
                            + "interface: then set api.tls.cert and api.tls.key)")
    String host;

    /** {@code api.port}, {@code api.host} and the values to set, for {@link ServiceOptions#load(Object...)}. */
    public Object[] flags() {
        return new Object[] {"api.port", port, "api.host", host};
    }
}
