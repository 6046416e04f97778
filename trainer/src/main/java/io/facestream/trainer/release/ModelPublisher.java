package io.facestream.trainer.release;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseSigning;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.trainer.gate.GateVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.PrivateKey;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Releases a gated candidate: one {@link ModelRelease} on the compacted {@code facestream.models} topic, keyed by
 * the model name, naming the version, the sha256 of its ONNX file, its directory in the store (embed services
 * install from there when their own store lacks it), the verbatim manifest, the metrics that justified it and the
 * version it replaces. Only an accepted verdict can be published: the gate is the only way to a new version. An
 * operator can release again a version the store holds ({@link #rerelease}, {@code ./facestream models release}),
 * e.g. to roll back.
 *
 * <p>Every release lists each file's role, name and sha256, and is signed with Ed25519 when a signing key is given
 * ({@code models.signing.private-key}; docs/models.md#release-integrity).
 */
public final class ModelPublisher {
    private final KafkaConnection kafka;
    private final PrivateKey signingKey;

    /** A publisher with Kafka's default client settings (PLAINTEXT), without signing. */
    public ModelPublisher(String bootstrap) {
        this(KafkaConnection.of(bootstrap), null);
    }

    /** Without signing. */
    public ModelPublisher(KafkaConnection kafka) {
        this(kafka, null);
    }

    /** @param signingKey signs every release; null = unsigned */
    public ModelPublisher(KafkaConnection kafka, PrivateKey signingKey) {
        this.kafka = kafka;
        this.signingKey = signingKey;
    }

    /** Signing with {@code models.signing.private-key} when it is set. */
    public static ModelPublisher fromConfig(KafkaConnection kafka, FacestreamConfig config) {
        String key = config.getString(ReleaseValidator.PRIVATE_KEY_KEY, "").trim();
        return new ModelPublisher(
                kafka,
                key.isEmpty() ? null : ReleaseSigning.readPrivateKey(config.getPath(ReleaseValidator.PRIVATE_KEY_KEY)));
    }

    public boolean signs() {
        return signingKey != null;
    }

    /** Sends the release and waits for the broker's acknowledgement. */
    public ModelRelease publish(ModelStore.InstalledModel candidate, GateVerdict verdict) {
        if (!verdict.accepted()) {
            throw new IllegalStateException(
                    "cannot release " + candidate.manifest().id() + ": the gate " + verdict.summary());
        }
        // the verdict was about these files; check them again, so no path releases a non-finite model
        io.facestream.trainer.gate.NonFiniteModelException.check(candidate);
        if (!verdict.candidate().model().equals(candidate.manifest().id())) {
            throw new IllegalArgumentException(
                    "the verdict is about " + verdict.candidate().model() + ", not "
                            + candidate.manifest().id());
        }
        ModelRelease release =
                sign(release(candidate, previousVersion(verdict.current().model()))
                        .putAllMetrics(verdict.candidate().metrics())
                        .build());
        send(release);
        return release;
    }

    /**
     * Releases again a version that the store holds (its files verified on load), replacing {@code previousVersion}
     * (empty when none): the operator's way to roll back, with {@code allowDowngrade} when the version is lower than
     * the one released now.
     */
    public ModelRelease rerelease(ModelStore.InstalledModel model, String previousVersion, boolean allowDowngrade) {
        io.facestream.trainer.gate.NonFiniteModelException.check(model);
        ModelRelease release = sign(release(model, previousVersion)
                .setAllowDowngrade(allowDowngrade)
                .build());
        send(release);
        return release;
    }

    private ModelRelease sign(ModelRelease release) {
        // the release must pass the services' checks; find out here rather than on every service
        ReleaseValidator.unsigned().check(release.getName(), release, null);
        return signingKey == null ? release : ReleaseSigning.sign(release, signingKey);
    }

    private static ModelRelease.Builder release(ModelStore.InstalledModel model, String previousVersion) {
        ModelManifest m = model.manifest();
        String manifestJson;
        try {
            manifestJson = Files.readString(model.dir().resolve(ModelManifest.FILE_NAME));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the manifest of " + m.id() + " in " + model.dir(), e);
        }
        return ModelRelease.newBuilder()
                .setName(m.name())
                .setVersion(m.version())
                .setSha256(m.file("main").sha256())
                .setLocation(model.dir().toAbsolutePath().toString())
                .setManifestJson(manifestJson)
                .setReleasedTsUs(System.currentTimeMillis() * 1000)
                .setPreviousVersion(previousVersion)
                .addAllFiles(m.files().stream()
                        .map(f -> ModelFileDigest.newBuilder()
                                .setRole(f.role())
                                .setFile(f.file())
                                .setSha256(f.sha256())
                                .build())
                        .toList());
    }

    private void send(ModelRelease release) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                KafkaClients.producer(kafka, "facestream-trainer-release"),
                new StringSerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(
                            TopicCatalog.MODELS,
                            release.getName(),
                            ProtobufSerde.modelRelease().serializer().serialize(TopicCatalog.MODELS, release)))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while releasing " + release.getName() + "@" + release.getVersion(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(
                    "cannot release " + release.getName() + "@" + release.getVersion() + " on " + TopicCatalog.MODELS
                            + ": " + e.getCause().getMessage(),
                    e.getCause());
        }
    }

    private static String previousVersion(String modelId) {
        int at = modelId.lastIndexOf('@');
        return at < 0 ? "" : modelId.substring(at + 1);
    }
}
