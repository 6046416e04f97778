package io.facestream.ops.kafka;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.EmbeddedKafka;
import io.facestream.ops.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream kafka}: the embedded single-node KRaft broker in the foreground until Ctrl-C. */
@Command(name = "kafka", mixinStandardHelpOptions = true,
        description = "Run the embedded single-node Kafka broker (KRaft) in the foreground until Ctrl-C.")
public final class KafkaCommand implements Runnable {
    @Mixin ConfigOptions options;

    @Option(names = "--port", description = "Broker port (default: kafka.port = 9092)")
    Integer port;

    @Option(names = "--data", paramLabel = "DIR", description = "Data directory (default: kafka.data-dir = ~/.facestream/kafka); kept across restarts")
    Path data;

    @Override
    public void run() {
        FacestreamConfig config = options.load("kafka.port", port, "kafka.data-dir", data == null ? null : data.toString());
        CountDownLatch stop = new CountDownLatch(1);
        EmbeddedKafka kafka = EmbeddedKafka.start(config.getPath("kafka.data-dir"), config.getInt("kafka.port"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            kafka.close();
            stop.countDown();
        }, "kafka-shutdown"));
        System.out.println("Kafka broker listening on " + kafka.bootstrapServers() + " (data " + kafka.dataDir() + "); Ctrl-C to stop");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
