package io.facestream.ops.kafka;

import io.facestream.ops.cli.ApiOptions;
import io.facestream.ops.cli.ServiceOptions;
import io.facestream.ops.runtime.AllInOne;
import io.facestream.ops.runtime.ServiceRunner;
import java.nio.file.Path;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream up}: the whole system in one JVM on the embedded broker (or an external one with --bootstrap). */
@Command(
        name = "up",
        mixinStandardHelpOptions = true,
        description = "Run the embedded broker and every facestream service in one JVM until Ctrl-C.")
public final class UpCommand implements Runnable {
    @Mixin
    ServiceOptions options;

    @Mixin
    ApiOptions api;

    @Option(
            names = "--secure",
            paramLabel = "DIR",
            description =
                    "Run the embedded broker with SASL_SSL and ACLs, as `kafka --secure DIR` does; each service connects "
                            + "as its own user (default: kafka.secure-dir; empty = PLAINTEXT)")
    Path secure;

    @Override
    public void run() {
        Object[] flags = api.flags();
        flags = Arrays.copyOf(flags, flags.length + 2);
        flags[flags.length - 2] = "kafka.secure-dir";
        flags[flags.length - 1] = secure == null ? null : secure.toString();
        var config = options.load(flags);
        AllInOne all = AllInOne.start(config);
        ServiceRunner.run(
                config,
                all,
                all.health(),
                "facestream is up: Kafka on " + all.bootstrapServers()
                        + (LocalBroker.secure(config)
                                ? " (SASL_SSL; client properties in " + config.getPath("kafka.secure-dir") + ")"
                                : ""));
    }
}
