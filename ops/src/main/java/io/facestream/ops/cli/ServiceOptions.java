package io.facestream.ops.cli;

import io.facestream.core.config.FacestreamConfig;
import java.util.Arrays;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of every long-running service command ({@code up}, {@code ingest}, {@code embed}, {@code match}),
 * written once: the configuration file and {@code --set}, the Kafka cluster and the management port.
 * {@link ApiOptions} adds {@code --port} to the commands that serve the API.
 */
public final class ServiceOptions {
    @Mixin
    ConfigOptions config;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "Kafka cluster (default: kafka.bootstrap; empty = the local broker, for `up` the embedded one)")
    String bootstrap;

    @Option(
            names = "--management-port",
            paramLabel = "PORT",
            description =
                    "Port of /health/live, /health/ready and /metrics (default: management.port = 8081; 0 = any free, -1 = none)")
    Integer managementPort;

    /** The configuration with these options and the command's own {@code key, value} pairs (null = not given). */
    public FacestreamConfig load(Object... commandFlags) {
        Object[] all = Arrays.copyOf(
                new Object[] {"kafka.bootstrap", bootstrap, "management.port", managementPort},
                4 + commandFlags.length);
        System.arraycopy(commandFlags, 0, all, 4, commandFlags.length);
        return config.load(all);
    }
}
