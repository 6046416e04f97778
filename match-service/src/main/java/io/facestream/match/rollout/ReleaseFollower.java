package io.facestream.match.rollout;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.kafka.TopicFollower;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.RefusedReleases;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.embed.model.ReleasedModel;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.match.decide.OpenSetThreshold;
import io.facestream.match.decide.ThresholdTransfer;
import io.facestream.match.gallery.ThresholdMetadata;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls released model versions out to this instance's galleries: follows {@code facestream.models}, and for each
 * release of the model it serves, installs the version, re-embeds the stored crops of every gallery into it and
 * ends the hold on its decisions (see {@link Rollouts}). Afterwards it keeps the released version complete: media
 * enrolled later with another version get a vector of the released one within {@code checkInterval}.
 *
 * <p>All gallery work runs on one worker thread, in release order. Re-embedding writes go through the gallery topic,
 * so every replica receives the vectors. Of several match instances only one re-embeds (see
 * {@link ReembedLeadership}); the others wait until the vectors reach their replica, or until the re-embedding
 * instance has made no progress for {@code max(3 × checkInterval, 15 s)} (media it could not embed stay missing),
 * and take the work over if the partition moves to them.
 *
 * <p>Each release passes {@link ReleaseValidator} first (names, hashes, signature, no unannounced downgrade below the
 * last release this instance accepted); a refused one goes to {@code facestream.dlq} with stage {@value #STAGE}
 * ({@link RefusedReleases}), holds nothing and changes nothing.
 */
public final class ReleaseFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReleaseFollower.class);
    /** Templates sampled per gallery for a threshold transfer: at most ~500k pairs. */
    static final int MAX_TRANSFER_TEMPLATES = 1_000;
    /** {@code fs.dlq.stage} of a model release this service refused. */
    public static final String STAGE = "match.model-release";

    private final String modelName;
    private final ModelStore store;
    private final Gallery gallery;
    private final Rollouts rollouts;
    private final Function<ModelStore.InstalledModel, FaceEmbedder> opener;
    private final Consumer<ModelVersion> rolledOut;
    private final Deserializer<ModelRelease> releases =
            ProtobufSerde.modelRelease().deserializer();
    private final ScheduledExecutorService worker;
    private final TopicFollower follower;
    private final ReembedLeadership leadership;
    private final Duration stallLimit;
    private final ReleaseValidator validator;
    private final RefusedReleases refusals;
    private final AtomicInteger reembedded = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();
    // worker thread only
    private FaceEmbedder released;
    // follower thread only: the last release record acted on, so a re-read record does not start a second roll-out
    private ModelVersion announced;

    private ReleaseFollower(
            KafkaConnection kafka,
            String modelName,
            ModelStore store,
            Gallery gallery,
            Rollouts rollouts,
            Function<ModelStore.InstalledModel, FaceEmbedder> opener,
            Duration checkInterval,
            Consumer<ModelVersion> rolledOut,
            ReleaseValidator validator) {
        this.modelName = modelName;
        this.validator = validator;
        this.refusals = new RefusedReleases(kafka, STAGE, "facestream-match-model-refusals");
        this.store = store;
        this.gallery = gallery;
        this.rollouts = rollouts;
        this.opener = opener;
        this.rolledOut = rolledOut;
        // longer than a crashed leader's session, so that its partition can move here before anyone gives up
        this.stallLimit = Collections.max(List.of(checkInterval.multipliedBy(3), Duration.ofSeconds(15)));
        this.leadership = ReembedLeadership.join(kafka, modelName);
        this.worker = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().name("gallery-reembed").daemon().unstarted(r));
        this.worker.scheduleWithFixedDelay(
                this::topUp, checkInterval.toMillis(), checkInterval.toMillis(), TimeUnit.MILLISECONDS);
        this.follower = TopicFollower.start(
                kafka,
                TopicCatalog.MODELS,
                TopicFollower.Start.BEGINNING,
                "model-release-follower",
                Duration.ofMillis(200),
                this::accept);
    }

    /**
     * Starts following releases of {@code modelName}.
     *
     * @param opener    opens an embedder for an installed version (the caller's ONNX sessions and batch size)
     * @param validator which releases may be rolled out ({@link ReleaseValidator#fromConfig})
     */
    public static ReleaseFollower start(
            KafkaConnection kafka,
            String modelName,
            ModelStore store,
            Gallery gallery,
            Rollouts rollouts,
            Function<ModelStore.InstalledModel, FaceEmbedder> opener,
            Duration checkInterval,
            Consumer<ModelVersion> rolledOut,
            ReleaseValidator validator) {
        if (checkInterval.isZero() || checkInterval.isNegative()) {
            throw new IllegalArgumentException("match.rollout.check-interval must be positive, got " + checkInterval);
        }
        return new ReleaseFollower(
                kafka, modelName, store, gallery, rollouts, opener, checkInterval, rolledOut, validator);
    }

    /** With Kafka's default client settings (PLAINTEXT). */
    public static ReleaseFollower start(
            String bootstrap,
            String modelName,
            ModelStore store,
            Gallery gallery,
            Rollouts rollouts,
            Function<ModelStore.InstalledModel, FaceEmbedder> opener,
            Duration checkInterval,
            Consumer<ModelVersion> rolledOut,
            ReleaseValidator validator) {
        return start(
                KafkaConnection.of(bootstrap),
                modelName,
                store,
                gallery,
                rollouts,
                opener,
                checkInterval,
                rolledOut,
                validator);
    }

    /** The same without signatures ({@link ReleaseValidator#unsigned()}): tests and set-ups without signing keys. */
    public static ReleaseFollower start(
            String bootstrap,
            String modelName,
            ModelStore store,
            Gallery gallery,
            Rollouts rollouts,
            Function<ModelStore.InstalledModel, FaceEmbedder> opener,
            Duration checkInterval,
            Consumer<ModelVersion> rolledOut) {
        return start(
                bootstrap,
                modelName,
                store,
                gallery,
                rollouts,
                opener,
                checkInterval,
                rolledOut,
                ReleaseValidator.unsigned());
    }

    /** Releases refused since the start (each one is on {@code facestream.dlq}). */
    public int refused() {
        return refusals.refused();
    }

    private void accept(ConsumerRecords<String, byte[]> records) {
        for (ConsumerRecord<String, byte[]> r : records) {
            if (!modelName.equals(r.key())) {
                continue;
            }
            if (r.value() == null) {
                announced = null;
                worker.execute(this::withdraw);
                continue;
            }
            ModelRelease release;
            ModelVersion version;
            try {
                try {
                    release = releases.deserialize(r.topic(), r.value());
                } catch (RuntimeException e) {
                    throw new ReleaseValidator.RefusedRelease(
                            ReleaseValidator.RefusedRelease.Kind.INVALID,
                            "the record is not a ModelRelease: " + e.getMessage());
                }
                if (announced != null
                        && announced.name().equals(release.getName())
                        && announced.version().equals(release.getVersion())) {
                    continue;
                }
                validator.check(r.key(), release, announced == null ? null : announced.version());
                version = new ModelVersion(release.getName(), release.getVersion());
            } catch (ReleaseValidator.RefusedRelease refused) {
                refusals.refuse(r, announced == null ? null : announced.toString(), refused);
                continue;
            } catch (RuntimeException e) {
                LOG.error(
                        "model release at {}-{}@{} is unusable and ignored: {}",
                        r.topic(),
                        r.partition(),
                        r.offset(),
                        e.getMessage());
                continue;
            }
            announced = version;
            // hold decisions of the new version from now on, before the embed service's first observation of it
            rollouts.begin(version);
            worker.execute(() -> rollOut(r, release, version));
        }
    }

    private void rollOut(ConsumerRecord<String, byte[]> record, ModelRelease release, ModelVersion version) {
        long t0 = System.nanoTime();
        try {
            FaceEmbedder next = opener.apply(ReleasedModel.install(store, release));
            closeReleased();
            released = next;
            int failures = 0;
            for (String g : new TreeSet<>(gallery.index().galleryNames())) {
                if (!fill(g, version)) {
                    continue; // another instance re-embedded it, and carries its threshold
                }
                ReembedReport report = reembed(g);
                failures += report.failures().size();
                try {
                    carryThreshold(g, release, version);
                } catch (RuntimeException e) {
                    // the vectors are in; a threshold that could not be written must not stop the roll-out
                    LOG.warn(
                            "gallery '{}': open-set threshold not carried to {}: {}; decisions use "
                                    + "match.default-threshold until one is set",
                            g,
                            version,
                            e.getMessage());
                }
            }
            if (failures > 0) {
                LOG.warn(
                        "{} rolled out with {} media that could not be re-embedded: they cannot be found by tracks of {} "
                                + "until re-enrolled (see the re-embed lines above)",
                        version,
                        failures,
                        version);
            }
            LOG.info(
                    "{} rolled out to every gallery in {} ms; its decisions are no longer held",
                    version,
                    (System.nanoTime() - t0) / 1_000_000);
            rolledOut.accept(version);
        } catch (ReleaseValidator.RefusedRelease refused) {
            // its files do not match what the release lists: nothing was installed, galleries are untouched
            refusals.refuse(
                    record, released == null ? null : released.manifest().id(), refused);
        } catch (RuntimeException e) {
            LOG.error(
                    "release {} cannot be rolled out to the galleries here: {}; its tracks are decided without "
                            + "re-embedded vectors",
                    version,
                    e.getMessage(),
                    e);
        } finally {
            rollouts.end(version);
        }
    }

    /**
     * Waits while another instance re-embeds {@code g}: returns true as soon as this instance should do it itself
     * (it leads), false once the gallery has the version for every medium or the other instance stalled.
     */
    private boolean fill(String g, ModelVersion version) {
        long lastChange = System.nanoTime();
        int lastPending = -1;
        boolean said = false;
        while (!leadership.leads()) {
            int pending = gallery.reembed().pending(g, version).size();
            if (pending == 0) {
                return false;
            }
            if (pending != lastPending || !leadership.joined()) {
                // until this instance is in the group, nobody may be re-embedding yet: no stall clock
                lastPending = pending;
                lastChange = System.nanoTime();
            } else if (System.nanoTime() - lastChange > stallLimit.toNanos()) {
                LOG.warn(
                        "gallery '{}': {} media still lack {} and the re-embedding instance made no progress for {} s; "
                                + "going on without them",
                        g,
                        pending,
                        version,
                        stallLimit.toSeconds());
                return false;
            }
            if (!said) {
                LOG.info(
                        "gallery '{}': {} media lack {}; waiting for the vectors of the match instance that re-embeds",
                        g,
                        pending,
                        version);
                said = true;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(
                        "interrupted while waiting for gallery '" + g + "' to be re-embedded", e);
            }
        }
        return true;
    }

    private ReembedReport reembed(String g) {
        ReembedReport report = new GalleryReembedder(gallery, LOG::info).reembed(g, released);
        reembedded.addAndGet(report.embedded());
        return report;
    }

    /** Media this instance has re-embedded since it started (0 on an instance that never led a roll-out). */
    public int reembedded() {
        return reembedded.get();
    }

    /** Whether this instance is the one that re-embeds now. */
    public boolean leads() {
        return leadership.leads();
    }

    /** Whether this instance knows who re-embeds (it has joined the re-embedding group). */
    public boolean joined() {
        return leadership.joined();
    }

    /** Media enrolled after the roll-out (the API may enrol with another version) get the released one too. */
    private void topUp() {
        if (released == null || !leadership.leads()) {
            return;
        }
        ModelVersion v =
                new ModelVersion(released.manifest().name(), released.manifest().version());
        try {
            for (String g : new TreeSet<>(gallery.index().galleryNames())) {
                if (!gallery.reembed().pending(g, v).isEmpty()) {
                    reembed(g);
                }
            }
        } catch (RuntimeException e) {
            // a gallery deleted between listing and re-embedding, a crop file gone: next round tries again
            LOG.warn("keeping galleries complete for {} failed this round: {}", v, e.toString());
        }
    }

    /**
     * A gallery with a threshold for the previous version gets one for the released version, transferred through
     * the gallery's own impostor pairs (see {@link ThresholdTransfer}), unless one was already set for it.
     */
    private void carryThreshold(String galleryName, ModelRelease release, ModelVersion version) {
        if (release.getPreviousVersion().isEmpty()) {
            return;
        }
        ModelVersion previous = new ModelVersion(release.getName(), release.getPreviousVersion());
        GalleryDefinition definition = gallery.index().definition(galleryName).orElse(null);
        if (definition == null) {
            return;
        }
        Optional<OpenSetThreshold> old = ThresholdMetadata.read(definition.metadata(), previous.toString());
        if (old.isEmpty()
                || ThresholdMetadata.read(definition.metadata(), version.toString())
                        .isPresent()) {
            return;
        }
        ImpostorPairs pairs = ImpostorPairs.of(gallery.index(), galleryName, previous, version, MAX_TRANSFER_TEMPLATES);
        Optional<ThresholdTransfer.Transferred> carried =
                ThresholdTransfer.transfer(old.get(), previous.toString(), pairs.from(), pairs.to());
        if (carried.isEmpty()) {
            LOG.warn(
                    "gallery '{}' has an open-set threshold for {} but too few impostor pairs ({}, need {}) to carry "
                            + "it to {}: decisions use match.default-threshold until PUT /api/galleries/{}/threshold sets one "
                            + "for model {}",
                    galleryName,
                    previous,
                    pairs.size(),
                    ThresholdTransfer.MIN_PAIRS,
                    version,
                    galleryName,
                    version);
            return;
        }
        OpenSetThreshold t = carried.get().threshold();
        try {
            gallery.publishAll(List.of(new GalleryChange.DefineGallery(
                    ThresholdMetadata.withThreshold(definition, version.toString(), t))));
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "threshold of gallery '" + galleryName + "' for " + version
                            + " was published but not applied here: " + e.getMessage(),
                    e);
        }
        LOG.info(
                "gallery '{}': open-set threshold {} for {} carried to {} for {} ({}, {} impostor pairs, {} above the "
                        + "old threshold); calibrate it for {} when non-mated searches are at hand",
                galleryName,
                String.format(java.util.Locale.ROOT, "%.4f", old.get().value()),
                previous,
                String.format(java.util.Locale.ROOT, "%.4f", t.value()),
                version,
                carried.get().method(),
                carried.get().pairs(),
                carried.get().above(),
                version);
    }

    private void withdraw() {
        if (released != null) {
            LOG.info(
                    "release of {} withdrawn; galleries keep the vectors they have",
                    released.manifest().id());
        }
        closeReleased();
    }

    private void closeReleased() {
        if (released != null) {
            released.close();
            released = null;
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        follower.close();
        refusals.close();
        leadership.close();
        worker.shutdownNow();
        try {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        closeReleased();
    }
}
