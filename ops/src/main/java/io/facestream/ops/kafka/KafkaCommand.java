package io.facestream.ops.kafka;

import io.facestream.broker.BrokerSecurity;
import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.ops.cli.ConfigOptions;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream kafka}: the embedded single-node KRaft broker in the foreground until Ctrl-C. */
@Command(
        name = "kafka",
        mixinStandardHelpOptions = true,
        description = "Run the embedded single-node Kafka broker (KRaft) in the foreground until Ctrl-C.")
public final class KafkaCommand implements Runnable {
    @Mixin
    ConfigOptions options;

    @Option(names = "--port", description = "Broker port (default: kafka.port = 9092)")
    Integer port;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Data directory (default: kafka.data-dir = ~/.facestream/kafka); kept across restarts")
    Path data;

    @Option(
            names = "--secure",
            paramLabel = "DIR",
            description =
                    "SASL_SSL (SCRAM-SHA-512) instead of PLAINTEXT, with least-privilege ACLs: a CA, a broker certificate and "
                            + "a user per service are made in DIR on first start, which then holds ca.pem and client-<service>.properties "
                            + "(default: kafka.secure-dir; empty = PLAINTEXT)")
    Path secure;

    @Override
    public void run() {
        FacestreamConfig config = options.load(
                "kafka.port",
                port,
                "kafka.data-dir",
                data == null ? null : data.toString(),
                "kafka.secure-dir",
                secure == null ? null : secure.toString());
        CountDownLatch stop = new CountDownLatch(1);
        EmbeddedKafka kafka = LocalBroker.start(config);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            kafka.close();
                            stop.countDown();
                        },
                        "kafka-shutdown"));
        System.out.println(describe(kafka) + "; Ctrl-C to stop");
        try {
            stop.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What listens where, and for a secure broker where its clients find their properties (never a secret). */
    static String describe(EmbeddedKafka kafka) {
        BrokerSecurity security = kafka.security();
        if (security == null) {
            return "Kafka broker listening on " + kafka.bootstrapServers() + " (data " + kafka.dataDir() + ")";
        }
        return "Kafka broker listening on " + kafka.bootstrapServers() + " with SASL_SSL (" + BrokerSecurity.MECHANISM
                + ") and ACLs (data " + kafka.dataDir() + "); CA certificate " + security.caPem()
                + "; client properties "
                + security.dir().resolve("client-<service>.properties") + " for " + String.join(", ", security.users());
    }
}
