package io.facestream.ops.match;

import io.facestream.core.health.BrokerProbe;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.cli.ApiOptions;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.ServiceOptions;
import io.facestream.ops.runtime.ServiceRunner;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code facestream match}: tracking + identification topology and the API/page, against a running cluster. */
@Command(
        name = "match",
        mixinStandardHelpOptions = true,
        description =
                "Run match-service (faces -> tracks -> open-set decisions -> facestream.matches, plus the API and page) until Ctrl-C.")
public final class MatchCommand implements Runnable {
    @Mixin
    ServiceOptions options;

    @Mixin
    ApiOptions api;

    @Override
    public void run() {
        var config = options.load(api.flags());
        String address = BrokerAddress.of(config);
        MatchService service = MatchService.start(config, address);
        BrokerProbe broker = BrokerProbe.start(config, KafkaConnection.fromConfig(config, address));
        io.facestream.core.health.OpenTransactions transactions = io.facestream.core.health.OpenTransactions.start(
                config,
                KafkaConnection.fromConfig(config, address),
                java.util.List.of(
                        io.facestream.core.topics.TopicCatalog.FACES,
                        io.facestream.core.topics.TopicCatalog.MATCHES,
                        io.facestream.core.topics.TopicCatalog.GALLERY));
        HealthRegistry health = new HealthRegistry().register("broker", broker).register("transactions", transactions);
        service.registerHealth(health, "match.");
        ServiceRunner.run(
                config,
                () -> {
                    transactions.close();
                    broker.close();
                    service.close();
                },
                health,
                "match-service is up: API and page on " + service.apiUrl());
    }
}
