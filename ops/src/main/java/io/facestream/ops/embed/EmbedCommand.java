package io.facestream.ops.embed;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.service.EmbedService;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.ConfigOptions;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream embed}: the frames → faces service, one instance of the consumer group, until Ctrl-C. */
@Command(name = "embed", mixinStandardHelpOptions = true,
        description = "Run the embed service: detect, align and embed faces of facestream.frames into facestream.faces.")
public final class EmbedCommand implements Runnable {
    @Mixin ConfigOptions options;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: kafka.bootstrap, else 127.0.0.1:9092)")
    String bootstrap;

    @Option(names = "--model", paramLabel = "NAME", description = "Embedder model in the store (default: face.embedder = mobilefacenet)")
    String model;

    @Option(names = "--detector", paramLabel = "NAME", description = "Detector for frames without fs.faces: mtcnn or blazeface-front/-back (default: face.detector)")
    String detector;

    @Option(names = "--mode", paramLabel = "live|complete", description = "live skips frames older than embed.service.max-lag; complete processes every frame")
    String mode;

    @Option(names = "--instance", paramLabel = "ID", description = "Instance id (part of the transactional id; default: a UUID kept per running instance in embed.service.state-dir)")
    String instance;

    @Override
    public void run() {
        FacestreamConfig config = options.load("kafka.bootstrap", bootstrap, "face.embedder", model, "face.detector", detector,
                "embed.service.mode", mode, "embed.service.instance-id", instance);
        EmbedService service = EmbedService.start(config, BrokerAddress.of(config));
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "embed-shutdown"));
        System.out.println("embed service running on " + BrokerAddress.of(config) + " with " + service.modelId() + "; Ctrl-C to stop");
        try {
            while (!service.awaitStop(Duration.ofSeconds(1))) {
                // the service thread does the work
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (service.failure() != null) {
            throw new IllegalStateException("embed service failed: " + service.failure().getMessage(), service.failure());
        }
    }
}
