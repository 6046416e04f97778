package io.facestream.trainer.release;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.events.ProtobufSerde;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.trainer.gate.GateVerdict;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Releases a gated candidate: one {@link ModelRelease} on the compacted {@code facestream.models} topic, keyed by
 * the model name, naming the version, the sha256 of its ONNX file, its directory in the store (embed services
 * install from there when their own store lacks it), the verbatim manifest, the metrics that justified it and the
 * version it replaces. Only an accepted verdict can be published: the gate is the only way to a release.
 */
public final class ModelPublisher {
    private final KafkaConnection kafka;

    /** A publisher with Kafka's default client settings (PLAINTEXT). */
    public ModelPublisher(String bootstrap) {
        this(KafkaConnection.of(bootstrap));
    }

    public ModelPublisher(KafkaConnection kafka) {
        this.kafka = kafka;
    }

    /** Sends the release and waits for the broker's acknowledgement. */
    public ModelRelease publish(ModelStore.InstalledModel candidate, GateVerdict verdict) {
        if (!verdict.accepted()) {
            throw new IllegalStateException("cannot release " + candidate.manifest().id() + ": the gate " + verdict.summary());
        }
        // the verdict was about these files; check them again, so no path releases a non-finite model
        io.facestream.trainer.gate.NonFiniteModelException.check(candidate);
        if (!verdict.candidate().model().equals(candidate.manifest().id())) {
            throw new IllegalArgumentException("the verdict is about " + verdict.candidate().model() + ", not " + candidate.manifest().id());
        }
        ModelRelease release = release(candidate, previousVersion(verdict.current().model()))
                .putAllMetrics(verdict.candidate().metrics())
                .build();
        send(release);
        return release;
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
                .setPreviousVersion(previousVersion);
    }

    private void send(ModelRelease release) {
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka, "facestream-trainer-release"),
                new StringSerializer(), new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, release.getName(),
                    ProtobufSerde.modelRelease().serializer().serialize(TopicCatalog.MODELS, release))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while releasing " + release.getName() + "@" + release.getVersion(), e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot release " + release.getName() + "@" + release.getVersion() + " on "
                    + TopicCatalog.MODELS + ": " + e.getCause().getMessage(), e.getCause());
        }
    }

    private static String previousVersion(String modelId) {
        int at = modelId.lastIndexOf('@');
        return at < 0 ? "" : modelId.substring(at + 1);
    }
}
