package io.facestream.embed.service;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code facestream.models} and prepares a released version of our model in the background: installs it
 * from the release's location when the local store lacks it, opens its ONNX session, and leaves it ready in
 * {@link #takeReady()}. The service switches between batches, so no batch mixes two models.
 */
final class ModelReleaseWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelReleaseWatcher.class);

    private final String modelName;
    private final ModelStore store;
    private final Function<ModelStore.InstalledModel, ActiveModel> opener;
    private final KafkaConsumer<String, byte[]> consumer;
    private final AtomicReference<ActiveModel> ready = new AtomicReference<>();
    private final Thread thread;
    private volatile String wantedVersion;
    private volatile boolean running = true;

    ModelReleaseWatcher(String bootstrap, String modelName, String currentVersion, ModelStore store,
                        Function<ModelStore.InstalledModel, ActiveModel> opener) {
        this.modelName = modelName;
        this.store = store;
        this.opener = opener;
        this.wantedVersion = currentVersion;
        this.consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null));
        this.thread = new Thread(this::run, "facestream-model-watcher");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** A newly released model, opened and ready, or null. The caller owns (and eventually closes) it. */
    ActiveModel takeReady() {
        return ready.getAndSet(null);
    }

    private void run() {
        try {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.MODELS).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            var deserializer = ProtobufSerde.modelRelease().deserializer();
            while (running) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    if (!modelName.equals(r.key()) || r.value() == null) {
                        continue;
                    }
                    try {
                        prepare(deserializer.deserialize(r.topic(), r.value()));
                    } catch (RuntimeException e) {
                        LOG.error("model release {} at {}-{}@{} cannot be used: {}", r.key(), r.topic(), r.partition(),
                                r.offset(), e.getMessage());
                    }
                }
            }
        } catch (WakeupException e) {
            // closing
        } catch (RuntimeException e) {
            LOG.error("model release watcher stopped: {}", e.toString());
        } finally {
            consumer.close(Duration.ofSeconds(2));
        }
    }

    private void prepare(ModelRelease release) {
        if (release.getVersion().equals(wantedVersion)) {
            return;
        }
        long t0 = System.nanoTime();
        ModelStore.InstalledModel installed = installed(release);
        String sha = release.getSha256();
        if (!sha.isEmpty() && installed.manifest().files().stream().noneMatch(f -> sha.equalsIgnoreCase(f.sha256()))) {
            throw new IllegalStateException("release " + release.getName() + "@" + release.getVersion() + " announces sha256 "
                    + sha + " but the installed files hash to " + installed.manifest().files().stream()
                    .map(ModelManifest.ModelFile::sha256).toList());
        }
        ActiveModel model = opener.apply(installed);
        ActiveModel previous = ready.getAndSet(model);
        if (previous != null) {
            previous.close(); // superseded before the service picked it up
        }
        wantedVersion = release.getVersion();
        LOG.info("model {} ready in {} ms; switching at the next batch", model.id(), (System.nanoTime() - t0) / 1_000_000);
    }

    private ModelStore.InstalledModel installed(ModelRelease release) {
        try {
            return store.load(release.getName(), release.getVersion());
        } catch (RuntimeException notHere) {
            Path dir = Path.of(release.getLocation());
            Path manifestFile = dir.resolve(ModelManifest.FILE_NAME);
            if (!Files.isRegularFile(manifestFile)) {
                throw new IllegalStateException("release " + release.getName() + "@" + release.getVersion()
                        + " is not in the local store and its location " + dir + " has no manifest");
            }
            ModelManifest manifest = ModelStore.readManifest(manifestFile);
            Map<String, Path> files = new HashMap<>();
            manifest.files().forEach(f -> files.put(f.role(), dir.resolve(f.file())));
            return store.install(manifest, files);
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        ActiveModel left = ready.getAndSet(null);
        if (left != null) {
            left.close();
        }
    }
}
