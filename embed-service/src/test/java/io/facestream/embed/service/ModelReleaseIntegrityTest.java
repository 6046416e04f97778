package io.facestream.embed.service;

import static io.facestream.embed.service.EmbedServiceTest.copy;
import static io.facestream.embed.service.EmbedServiceTest.frame;
import static io.facestream.embed.service.EmbedServiceTest.header;
import static io.facestream.embed.service.EmbedServiceTest.observations;
import static io.facestream.embed.service.EmbedServiceTest.produce;
import static io.facestream.embed.service.EmbedServiceTest.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.ModelFileDigest;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.ConsumerGroups;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseSigning;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Release integrity on the real broker with the real embedder (docs/models.md#release-integrity): with
 * {@code models.signing.public-key} set, the embed service refuses a release signed by another key, an unsigned one,
 * a signed downgrade without allow_downgrade and one whose version would leave the store, each as a dead letter with
 * its reason, and keeps embedding with its current model meanwhile; then it swaps to a properly signed upgrade.
 */
@KafkaBroker
class ModelReleaseIntegrityTest {
    private static SamplePhotos photos;

    @BeforeAll
    static void samplePhotos() {
        photos = SamplePhotos.fetch();
    }

    @Test
    void badlySignedUnsignedDowngradedAndEscapingReleasesAreDeadLetteredWhileTheCurrentModelServes(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String camera = "signed-" + UUID.randomUUID().toString().substring(0, 8);
        KeyPair key = ReleaseSigning.writeKeyPair(dir.resolve("keys"));
        KeyPair otherKey = ReleaseSigning.generate();
        ModelStore cache = ModelZoo.defaultStore();
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelStore.InstalledModel embedder = ModelZoo.ensure(cache, "mobilefacenet");
        copy(ModelZoo.ensure(cache, "mtcnn"), store, null);
        copy(embedder, store, null);
        String current = embedder.manifest().version();
        String upgrade = current + ".7";
        String older = "0.9";
        ModelStore releases = new ModelStore(dir.resolve("release"));
        copy(embedder, releases, upgrade);
        copy(embedder, releases, older);

        FacestreamConfig config = EmbedServiceTest.config(bootstrap, store.root())
                .with(Map.of(
                        "models.signing.public-key",
                        dir.resolve("keys")
                                .resolve(ReleaseSigning.PUBLIC_KEY_FILE)
                                .toString()));
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
            ConsumerGroups.startAtEnd(bootstrap, config.getString("embed.service.group-id"), TopicCatalog.FRAMES);
        }
        byte[] face = Files.readAllBytes(photos.portrait(SamplePhotos.Portrait.SAME_A));
        try (EmbedService service = EmbedService.start(config, bootstrap);
                var producer =
                        new KafkaProducer<String, byte[]>(KafkaClients.producer(bootstrap, "release-integrity-test"))) {
            produce(bootstrap, List.of(frame(camera, 0, face, null)));
            assertEquals(
                    current,
                    observations(bootstrap, camera, 1).get(0).getModel().getVersion());

            Map<Long, String> expected = new HashMap<>();
            expected.put(
                    send(producer, ReleaseSigning.sign(release(releases, upgrade, false), otherKey.getPrivate())),
                    "bad-signature: ");
            expected.put(send(producer, release(releases, upgrade, false)), "unsigned: ");
            expected.put(
                    send(producer, ReleaseSigning.sign(release(releases, older, false), key.getPrivate())),
                    "downgrade: ");
            ModelRelease escaping = release(releases, upgrade, false).toBuilder()
                    .setVersion("../../escaped")
                    .build();
            expected.put(send(producer, ReleaseSigning.sign(escaping, key.getPrivate())), "invalid: ");
            // signed, but the listed hash is not the one of the file at the location
            ModelRelease swapped = release(releases, upgrade, false).toBuilder()
                    .setSha256("ab".repeat(32))
                    .setFiles(
                            0,
                            release(releases, upgrade, false).getFiles(0).toBuilder()
                                    .setSha256("ab".repeat(32)))
                    .build();
            expected.put(send(producer, ReleaseSigning.sign(swapped, key.getPrivate())), "hash-mismatch: ");

            List<ConsumerRecord<String, byte[]>> dead = read(
                    bootstrap,
                    TopicCatalog.DLQ,
                    r -> r.headers().lastHeader(DeadLetter.SOURCE_OFFSET) != null
                            && TopicCatalog.MODELS.equals(header(r, DeadLetter.SOURCE_TOPIC))
                            && expected.containsKey(Long.parseLong(header(r, DeadLetter.SOURCE_OFFSET))),
                    expected.size());
            for (ConsumerRecord<String, byte[]> d : dead) {
                String reason = header(d, DeadLetter.REASON);
                long offset = Long.parseLong(header(d, DeadLetter.SOURCE_OFFSET));
                assertTrue(reason.startsWith(expected.get(offset)), "offset " + offset + ": " + reason);
                assertEquals(EmbedService.RELEASE_STAGE, header(d, DeadLetter.STAGE));
                assertEquals("mobilefacenet", d.key());
                assertTrue(d.value().length > 0, "the release record itself is kept");
            }
            assertFalse(
                    Files.exists(dir.resolve("escaped"))
                            || Files.exists(store.root().resolve("escaped")),
                    "nothing was written outside the store");
            assertFalse(
                    Files.exists(store.root().resolve("mobilefacenet").resolve(upgrade)),
                    "no refused version was installed");

            // every refused release has been handled (they are dead letters), and the current model still serves
            produce(bootstrap, List.of(frame(camera, 1, face, null)));
            FaceObservation still = observations(bootstrap, camera, 2).stream()
                    .filter(o -> o.getFrameSeq() == 1)
                    .findFirst()
                    .orElseThrow();
            assertEquals(current, still.getModel().getVersion());
            assertEquals("mobilefacenet@" + current, service.modelId());
            assertEquals(
                    io.facestream.core.health.Health.Status.UP,
                    service.health().status(),
                    service.health().toString());

            send(producer, ReleaseSigning.sign(release(releases, upgrade, false), key.getPrivate()));
            long deadline = System.currentTimeMillis() + 60_000;
            while (!service.modelId().endsWith("@" + upgrade) && System.currentTimeMillis() < deadline) {
                produce(bootstrap, List.of(frame(camera, 2, face, null)));
                Thread.sleep(500);
            }
            assertEquals("mobilefacenet@" + upgrade, service.modelId(), "the signed upgrade is served");
            assertTrue(Files.isRegularFile(
                    store.root().resolve("mobilefacenet").resolve(upgrade).resolve(ModelManifest.FILE_NAME)));
            // leave no release of the shared model name behind for later tests in this JVM
            producer.send(new ProducerRecord<>(TopicCatalog.MODELS, "mobilefacenet", null))
                    .get();
        }
    }

    /** A release of a version installed in {@code from}, listing its files as the trainer does. */
    private static ModelRelease release(ModelStore from, String version, boolean allowDowngrade) {
        ModelStore.InstalledModel m = from.load("mobilefacenet", version);
        ModelRelease.Builder b = ModelRelease.newBuilder()
                .setName("mobilefacenet")
                .setVersion(version)
                .setLocation(m.dir().toString())
                .setSha256(m.manifest().file("main").sha256())
                .setAllowDowngrade(allowDowngrade);
        m.manifest()
                .files()
                .forEach(f -> b.addFiles(ModelFileDigest.newBuilder()
                        .setRole(f.role())
                        .setFile(f.file())
                        .setSha256(f.sha256())));
        return b.build();
    }

    private static long send(KafkaProducer<String, byte[]> producer, ModelRelease release) throws Exception {
        return producer.send(new ProducerRecord<>(TopicCatalog.MODELS, "mobilefacenet", release.toByteArray()))
                .get()
                .offset();
    }
}
