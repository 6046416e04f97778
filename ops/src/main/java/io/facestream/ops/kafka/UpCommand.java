package io.facestream.ops.kafka;

import io.facestream.ops.cli.ApiOptions;
import io.facestream.ops.cli.ServiceOptions;
import io.facestream.ops.runtime.AllInOne;
import io.facestream.ops.runtime.ServiceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code facestream up}: the whole system in one JVM on the embedded broker (or an external one with --bootstrap). */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the embedded broker and every facestream service in one JVM until Ctrl-C.")
public final class UpCommand implements Runnable {
    @Mixin ServiceOptions options;
    @Mixin ApiOptions api;

    @Override
    public void run() {
        var config = options.load(api.flags());
        AllInOne all = AllInOne.start(config);
        ServiceRunner.run(config, all, all.health(), "facestream is up: Kafka on " + all.bootstrapServers());
    }
}
