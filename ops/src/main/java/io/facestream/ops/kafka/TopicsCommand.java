package io.facestream.ops.kafka;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code facestream topics}: create the missing facestream topics and list them with their settings. */
@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create missing facestream topics (idempotent) and list them with their settings.")
public final class TopicsCommand implements Runnable {
    @Mixin ConfigOptions options;

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT", description = "Kafka bootstrap servers (default: kafka.bootstrap, else 127.0.0.1:9092)")
    String bootstrap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Override
    public void run() {
        FacestreamConfig config = options.load("kafka.bootstrap", bootstrap);
        String address = BrokerAddress.of(config);
        try (Admin admin = KafkaClients.admin(KafkaConnection.fromConfig(config, address))) {
            List<TopicCreator.TopicState> states = new TopicCreator(admin, (short) config.getInt("kafka.replication-factor"))
                    .ensure(TopicCatalog.fromConfig(config));
            Table table = table(address, states);
            table.print(System.out);
            Table.writeJson(json, List.of(table));
        } catch (RuntimeException e) {
            if (TopicCreator.refused(e)) {
                throw new CommandFailed("the broker refuses this Kafka user the topics (" + e.getMessage()
                        + "): run `facestream topics` as the admin user (docs/security.md)", e);
            }
            throw e;
        }
    }

    static Table table(String address, List<TopicCreator.TopicState> states) {
        Table t = new Table("facestream topics on " + address,
                "topic", "status", "partitions", "replicas", "cleanup", "retention", "max message", "drift");
        for (TopicCreator.TopicState s : states) {
            String retention = s.configs().get("retention.ms");
            t.row(s.expected().name(), s.created() ? "created" : "exists", s.partitions(), s.replicationFactor(),
                    s.configs().get("cleanup.policy"),
                    retention == null ? "-" : humanMillis(Long.parseLong(retention)),
                    humanBytes(Long.parseLong(s.configs().getOrDefault("max.message.bytes", "0"))),
                    s.drift().isEmpty() ? "" : String.join("; ", s.drift()));
        }
        return t;
    }

    static String humanMillis(long ms) {
        if (ms < 0) {
            return "forever";
        }
        if (ms % 86_400_000L == 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0) {
            return ms / 3_600_000L + "h";
        }
        return ms / 1000 + "s";
    }

    static String humanBytes(long b) {
        return b % (1024 * 1024) == 0 ? b / (1024 * 1024) + " MiB" : b / 1024 + " KiB";
    }
}
