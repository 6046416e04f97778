package io.facestream.embed.service;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.RefusedReleases;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.embed.model.ReleasedModel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows {@code facestream.models} and prepares a released version of our model in the background: installs it
 * from the release's location when the local store lacks it, opens its ONNX session, and leaves it ready in
 * {@link #takeReady()}. The service switches between batches, so no batch mixes two models.
 *
 * <p>Each release passes {@link ReleaseValidator} first (names, hashes, signature, no unannounced downgrade below the
 * version served or being prepared); a refused one goes to {@code facestream.dlq} ({@link RefusedReleases}) and the
 * current model keeps serving.
 */
final class ModelReleaseWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelReleaseWatcher.class);

    private final String modelName;
    private final ModelStore store;
    private final Function<ModelStore.InstalledModel, ActiveModel> opener;
    private final AtomicReference<ActiveModel> ready = new AtomicReference<>();
    private final Deserializer<ModelRelease> releases =
            ProtobufSerde.modelRelease().deserializer();
    private final TopicFollower follower;
    private final ReleaseValidator validator;
    private final RefusedReleases refusals;
    private volatile String wantedVersion;

    ModelReleaseWatcher(
            KafkaConnection kafka,
            String modelName,
            String currentVersion,
            ModelStore store,
            Function<ModelStore.InstalledModel, ActiveModel> opener,
            ReleaseValidator validator,
            RefusedReleases refusals) {
        this.modelName = modelName;
        this.store = store;
        this.opener = opener;
        this.wantedVersion = currentVersion;
        this.validator = validator;
        this.refusals = refusals;
        this.follower = TopicFollower.start(
                kafka,
                TopicCatalog.MODELS,
                TopicFollower.Start.BEGINNING,
                "facestream-model-watcher",
                Duration.ofMillis(500),
                this::accept);
    }

    /** A newly released model, opened and ready, or null. The caller owns (and eventually closes) it. */
    ActiveModel takeReady() {
        return ready.getAndSet(null);
    }

    private void accept(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (!modelName.equals(r.key()) || r.value() == null) {
                continue;
            }
            try {
                ModelRelease release;
                try {
                    release = releases.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                    throw new ReleaseValidator.RefusedRelease(
                            ReleaseValidator.RefusedRelease.Kind.INVALID,
                            "the record is not a ModelRelease: " + e.getMessage());
                }
                prepare(r.key(), release);
            } catch (ReleaseValidator.RefusedRelease refused) {
                refusals.refuse(r, modelName + "@" + wantedVersion, refused);
            } catch (RuntimeException e) {
                LOG.error(
                        "model release {} at {}-{}@{} cannot be used: {}",
                        r.key(),
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.getMessage());
            }
        }
    }

    private void prepare(String key, ModelRelease release) {
        if (release.getVersion().equals(wantedVersion)) {
            return;
        }
        validator.check(key, release, wantedVersion);
        long t0 = System.nanoTime();
        ModelStore.InstalledModel installed = ReleasedModel.install(store, release);
        ActiveModel model = opener.apply(installed);
        ActiveModel previous = ready.getAndSet(model);
        if (previous != null) {
            previous.close(); // superseded before the service picked it up
        }
        wantedVersion = release.getVersion();
        LOG.info(
                "model {} ready in {} ms; switching at the next batch",
                model.id(),
                (System.nanoTime() - t0) / 1_000_000);
    }

    @Override
    public void close() {
        follower.close();
        refusals.close();
        ActiveModel left = ready.getAndSet(null);
        if (left != null) {
            left.close();
        }
    }
}
