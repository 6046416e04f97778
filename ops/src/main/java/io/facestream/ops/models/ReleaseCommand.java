package io.facestream.ops.models;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.trainer.release.ModelPublisher;
import io.facestream.trainer.release.ReleasedModels;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code facestream models release NAME@VERSION [--allow-downgrade]}: releases an installed version on
 * {@code facestream.models}, signed with {@code models.signing.private-key} when it is set. The operator's way to roll
 * back: a version lower than the one released now needs {@code --allow-downgrade}, which the release carries (and the
 * signature covers), or the services refuse it.
 */
@Command(
        name = "release",
        mixinStandardHelpOptions = true,
        description =
                "Release an installed model version to the services (e.g. roll back), signed when models.signing.private-key is set.")
public final class ReleaseCommand implements Runnable {
    @Mixin
    StoreOptions storeOptions;

    @Parameters(paramLabel = "NAME@VERSION", description = "An installed model version (see `models list`)")
    String model;

    @Option(
            names = "--allow-downgrade",
            description = "Allow a version lower than the one released now (a deliberate roll-back)")
    boolean allowDowngrade;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka bootstrap servers (default: kafka.bootstrap, else 127.0.0.1:9092)")
    String bootstrap;

    @Override
    public void run() {
        StoreOptions.userErrors(this::execute);
    }

    private void execute() {
        int at = model.lastIndexOf('@');
        if (at <= 0 || at == model.length() - 1) {
            throw new IllegalArgumentException(
                    "name the version to release as NAME@VERSION, e.g. mobilefacenet@1.0.24 (see ./facestream models list)");
        }
        String name = model.substring(0, at);
        String version = model.substring(at + 1);
        ReleaseValidator.checkName(name);
        ReleaseValidator.checkVersion(version);
        FacestreamConfig config = storeOptions.config("kafka.bootstrap", bootstrap);
        ModelStore store = ModelZoo.store(config);
        ModelStore.InstalledModel installed = store.load(name, version);
        KafkaConnection kafka = KafkaConnection.fromConfig(config, BrokerAddress.of(config));
        Optional<ModelRelease> current = ReleasedModels.current(kafka, name, Duration.ofSeconds(30));
        String previous = current.map(ModelRelease::getVersion).orElse("");
        if (!previous.isEmpty() && ReleaseValidator.compareVersions(version, previous) < 0 && !allowDowngrade) {
            throw new CommandFailed(name + "@" + previous + " is released now and " + version
                    + " is older: the services " + "refuse a downgrade; add --allow-downgrade to roll back on purpose");
        }
        ModelPublisher publisher = ModelPublisher.fromConfig(kafka, config);
        ModelRelease sent = publisher.rerelease(installed, previous, allowDowngrade);
        System.out.printf(
                "released %s@%s (was %s)%s%s%n",
                sent.getName(),
                sent.getVersion(),
                previous.isEmpty() ? "none" : previous,
                sent.getAllowDowngrade() ? ", downgrade allowed" : "",
                publisher.signs() ? ", signed" : ", unsigned (set models.signing.private-key to sign)");
    }
}
