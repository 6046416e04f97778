package io.facestream.ops.status;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream status}: what a running facestream is doing, read from Kafka and the management ports — cameras
 * and their frame rates, consumer groups and their lag, dead letters by reason, galleries, model releases, and the
 * readiness of each process asked.
 */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description =
                "Cameras and their rates, lag per consumer group, dead letters by reason, gallery sizes, model "
                        + "releases and the ready state of the processes given with --probe (default: this host's management port).")
public final class StatusCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap, else 127.0.0.1:9092)")
    String bootstrap;

    @Option(
            names = "--window",
            paramLabel = "DURATION",
            defaultValue = "30s",
            description = "How far back frames are counted for camera rates (default ${DEFAULT-VALUE})")
    String window;

    @Option(
            names = "--probe",
            paramLabel = "HOST:PORT",
            split = ",",
            description =
                    "Management ports to ask for /health/ready (default: management.host:management.port of the configuration)")
    List<String> probes;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON")
    Path json;

    @Override
    public Integer call() {
        FacestreamConfig config = options.load("kafka.bootstrap", bootstrap);
        String address = BrokerAddress.of(config);
        List<String> ask = probes;
        if (ask == null || ask.isEmpty()) {
            int port = config.getInt("management.port");
            ask = port > 0 ? List.of(config.getString("management.host") + ":" + port) : List.of();
        }
        System.err.println(
                "status: reading " + address + " (frames of the last " + window + ", dead letters, gallery, models)");
        ClusterStatus status = ClusterStatus.read(
                KafkaConnection.fromConfig(config, address),
                FacestreamConfig.parseDuration(window),
                Duration.ofMinutes(2));
        List<ProcessStatus> processes = new ArrayList<>();
        for (String p : ask) {
            processes.add(ProcessStatus.probe(p, Duration.ofSeconds(3)));
        }
        List<Table> tables = status.tables(address);
        tables.add(ProcessStatus.table(processes));
        for (Table t : tables) {
            t.print(System.out);
        }
        Table.writeJson(json, tables);
        return processes.stream().allMatch(ProcessStatus::ready) ? 0 : 1;
    }
}
