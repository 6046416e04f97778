package io.facestream.ops.embed;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.BrokerProbe;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.embed.service.EmbedService;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.ServiceOptions;
import io.facestream.ops.runtime.ServiceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream embed}: the frames → faces service, one instance of the consumer group, until Ctrl-C. */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description =
                "Run the embed service: detect, align and embed faces of facestream.frames into facestream.faces.")
public final class EmbedCommand implements Runnable {
    @Mixin
    ServiceOptions options;

    @Option(
            names = "--model",
            paramLabel = "NAME",
            description = "Embedder model in the store (default: face.embedder = mobilefacenet)")
    String model;

    @Option(
            names = "--detector",
            paramLabel = "NAME",
            description =
                    "Detector for frames without fs.faces: mtcnn or blazeface-front/-back/-full (default: face.detector)")
    String detector;

    @Option(
            names = "--mode",
            paramLabel = "live|complete",
            description = "live skips frames older than embed.service.max-lag; complete processes every frame")
    String mode;

    @Option(
            names = "--instance",
            paramLabel = "ID",
            description =
                    "Instance id (part of the transactional id; default: a UUID kept per running instance in embed.service.state-dir)")
    String instance;

    @Override
    public void run() {
        FacestreamConfig config = options.load(
                "face.embedder",
                model,
                "face.detector",
                detector,
                "embed.service.mode",
                mode,
                "embed.service.instance-id",
                instance);
        String address = BrokerAddress.of(config);
        EmbedService service = EmbedService.start(config, address);
        BrokerProbe broker = BrokerProbe.start(config, KafkaConnection.fromConfig(config, address));
        io.facestream.core.health.OpenTransactions transactions = io.facestream.core.health.OpenTransactions.start(
                config,
                KafkaConnection.fromConfig(config, address),
                java.util.List.of(io.facestream.core.topics.TopicCatalog.FRAMES));
        HealthRegistry health = new HealthRegistry()
                .register("broker", broker)
                .register("transactions", transactions)
                .register("embed", service::health);
        ServiceRunner.run(
                config,
                () -> {
                    transactions.close();
                    broker.close();
                    service.close();
                },
                health,
                "embed service running on " + address + " with " + service.modelId());
    }
}
