package io.facestream.ops.kafka;

import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.runtime.AllInOne;
import io.facestream.ops.runtime.ServiceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream up}: the whole system in one JVM on the embedded broker (or an external one with --bootstrap). */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Run the embedded broker and every facestream service in one JVM until Ctrl-C.")
public final class UpCommand implements Runnable {
    @Mixin ConfigOptions options;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Use this Kafka cluster instead of the embedded broker")
    String bootstrap;

    @Override
    public void run() {
        var config = options.load("kafka.bootstrap", bootstrap);
        AllInOne all = AllInOne.start(config);
        ServiceRunner.run(config, all, all.health(), "facestream is up: Kafka on " + all.bootstrapServers());
    }
}
