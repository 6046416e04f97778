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
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream topics}: create the missing facestream topics and list them with their settings and drift;
 * {@code --apply} alters existing topics' drifted configs to the configured ones.
 */
@Command(
        name = "topics",
        mixinStandardHelpOptions = true,
        description =
                "Create missing facestream topics (idempotent) with their configured settings and list them, with "
                        + "any drift from the configuration; --apply also sets drifted topic configs.")
public final class TopicsCommand implements Runnable {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap, else 127.0.0.1:9092)")
    String bootstrap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Option(
            names = "--apply",
            description = "Also set existing topics' drifted configs (retention, compaction, sizes) to "
                    + "the configured ones; partition counts are only reported")
    boolean apply;

    @Override
    public void run() {
        FacestreamConfig config = options.load("kafka.bootstrap", bootstrap);
        String address = BrokerAddress.of(config);
        try (Admin admin = KafkaClients.admin(KafkaConnection.fromConfig(config, address))) {
            TopicCreator creator = new TopicCreator(admin, (short) config.getInt("kafka.replication-factor"));
            List<TopicCreator.TopicState> states = creator.ensure(TopicCatalog.fromConfig(config));
            Set<String> altered = new TreeSet<>();
            if (apply) {
                states.stream()
                        .filter(s -> !s.configDrift().isEmpty())
                        .forEach(s -> altered.add(s.expected().name()));
                states = creator.apply(states);
            }
            Table table = table(address, states, altered);
            table.print(System.out);
            Table.writeJson(json, List.of(table));
        } catch (RuntimeException e) {
            if (TopicCreator.refused(e)) {
                throw new CommandFailed(
                        "the broker refuses this Kafka user the topics (" + e.getMessage()
                                + "): run `facestream topics` as the admin user (docs/security.md)",
                        e);
            }
            throw e;
        }
    }

    static Table table(String address, List<TopicCreator.TopicState> states) {
        return table(address, states, Set.of());
    }

    static Table table(String address, List<TopicCreator.TopicState> states, Set<String> altered) {
        Table t = new Table(
                "facestream topics on " + address,
                "topic",
                "status",
                "partitions",
                "replicas",
                "cleanup",
                "retention",
                "max message",
                "drift");
        for (TopicCreator.TopicState s : states) {
            String retention = s.configs().get("retention.ms");
            t.row(
                    s.expected().name(),
                    s.created() ? "created" : altered.contains(s.expected().name()) ? "altered" : "exists",
                    s.partitions(),
                    s.replicationFactor(),
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
