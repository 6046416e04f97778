package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.DeadLetter;
import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseSigning;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.ModelVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A release that cannot be installed here (not in the local store, and its location has no manifest) must not hold
 * its decisions forever: the follower logs why, ends the hold, and never reports the version as rolled out. Releases
 * of other models are ignored.
 */
@KafkaBroker
class ReleaseFollowerTest {

    @Test
    void aReleaseThatCannotBeInstalledEndsItsHoldWithoutRollingOut(
            @KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        String model = "follow" + UUID.randomUUID().toString().substring(0, 6);
        ModelVersion broken = new ModelVersion(model, "2");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        List<ModelVersion> rolledOut = new CopyOnWriteArrayList<>();
        List<String> opened = new CopyOnWriteArrayList<>();
        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap)) {
            gallery.createGallery("g-" + model, GalleryKind.SINGLE, Map.of());
            Rollouts rollouts = Rollouts.over(gallery.index());
            try (ReleaseFollower follower = ReleaseFollower.start(
                            bootstrap,
                            model,
                            new ModelStore(dir.resolve("store")),
                            gallery,
                            rollouts,
                            m -> {
                                opened.add(m.manifest().id());
                                throw new IllegalStateException("never reached: nothing can be installed");
                            },
                            Duration.ofMillis(200),
                            rolledOut::add);
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(KafkaClients.producer(bootstrap, "follow-" + model))) {
                ModelRelease release = ModelRelease.newBuilder()
                        .setName(model)
                        .setVersion(broken.version())
                        .setPreviousVersion("1")
                        .setLocation(dir.resolve("nowhere").toString())
                        .setSha256("ab".repeat(32))
                        .build();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, "other" + model, release.toByteArray()))
                        .get();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, release.toByteArray()))
                        .get();

                long deadline = System.currentTimeMillis() + 30_000;
                while (!rollouts.settled(broken.toString()) && System.currentTimeMillis() < deadline) {
                    Thread.sleep(20);
                }
                assertTrue(rollouts.settled(broken.toString()), "the roll-out ended");
                assertTrue(rollouts.of(broken.toString()).isEmpty(), "the hold ended");
                assertFalse(rollouts.holds("g-" + model, broken.toString()));
                assertTrue(rolledOut.isEmpty(), "not reported as rolled out: " + rolledOut);
                assertTrue(opened.isEmpty(), "nothing was opened: " + opened);
            }
        }
    }

    /**
     * With a public key, an unsigned release, one signed by another key and a signed downgrade are refused before
     * anything is held: each is a dead letter naming why. A signed release, and a signed roll-back that allows the
     * downgrade, begin their roll-outs.
     */
    @Test
    void refusedReleasesAreDeadLetteredAndHoldNothing(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        String model = "signed" + UUID.randomUUID().toString().substring(0, 6);
        KeyPair key = ReleaseSigning.generate();
        KeyPair otherKey = ReleaseSigning.generate();
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        List<String> opened = new CopyOnWriteArrayList<>();
        try (Gallery gallery = Gallery.open(GallerySettings.at(dir.resolve("gallery")), bootstrap)) {
            gallery.createGallery("g-" + model, GalleryKind.SINGLE, Map.of());
            Rollouts rollouts = Rollouts.over(gallery.index());
            try (ReleaseFollower follower = ReleaseFollower.start(
                            bootstrap,
                            model,
                            new ModelStore(dir.resolve("store")),
                            gallery,
                            rollouts,
                            m -> {
                                opened.add(m.manifest().id());
                                throw new IllegalStateException("never reached: nothing can be installed");
                            },
                            Duration.ofMillis(200),
                            v -> {},
                            ReleaseValidator.requiringSignatures(key.getPublic()));
                    KafkaProducer<String, byte[]> producer =
                            new KafkaProducer<>(KafkaClients.producer(bootstrap, "signed-" + model))) {
                Map<Long, String> refused = new HashMap<>();
                refused.put(send(producer, model, release(model, "2", dir)), "unsigned: ");
                refused.put(
                        send(producer, model, ReleaseSigning.sign(release(model, "3", dir), otherKey.getPrivate())),
                        "bad-signature: ");
                send(producer, model, ReleaseSigning.sign(release(model, "4", dir), key.getPrivate()));
                awaitSettled(rollouts, new ModelVersion(model, "4").toString());
                refused.put(
                        send(producer, model, ReleaseSigning.sign(release(model, "1", dir), key.getPrivate())),
                        "downgrade: ");
                send(
                        producer,
                        model,
                        ReleaseSigning.sign(
                                release(model, "1", dir).toBuilder()
                                        .setAllowDowngrade(true)
                                        .build(),
                                key.getPrivate()));
                awaitSettled(rollouts, new ModelVersion(model, "1").toString());

                assertEquals(3, follower.refused());
                for (String v : List.of("2", "3")) {
                    assertFalse(rollouts.settled(new ModelVersion(model, v).toString()), v + " was never held");
                }
                Map<Long, ConsumerRecord<String, byte[]>> dead = deadLetters(bootstrap, refused.keySet());
                assertEquals(refused.keySet(), dead.keySet());
                dead.forEach((offset, d) -> {
                    String reason = header(d, DeadLetter.REASON);
                    assertTrue(reason.startsWith(refused.get(offset)), offset + ": " + reason);
                    assertEquals(ReleaseFollower.STAGE, header(d, DeadLetter.STAGE));
                    assertEquals(model, d.key());
                });
                assertTrue(opened.isEmpty(), "nothing was opened: " + opened);
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, null))
                        .get();
            }
        }
    }

    private static ModelRelease release(String model, String version, Path dir) {
        return ModelRelease.newBuilder()
                .setName(model)
                .setVersion(version)
                .setSha256("cd".repeat(32))
                .setLocation(dir.resolve("nowhere").toString())
                .build();
    }

    private static long send(KafkaProducer<String, byte[]> producer, String model, ModelRelease release)
            throws Exception {
        return producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, release.toByteArray()))
                .get()
                .offset();
    }

    private static void awaitSettled(Rollouts rollouts, String version) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        while (!rollouts.settled(version) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(rollouts.settled(version), version + " began and ended its roll-out");
    }

    /** The dead letters of {@code facestream.models} records at these offsets. */
    private static Map<Long, ConsumerRecord<String, byte[]>> deadLetters(
            String bootstrap, java.util.Set<Long> offsets) {
        Map<Long, ConsumerRecord<String, byte[]>> out = new HashMap<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(KafkaClients.consumer(bootstrap, null))) {
            List<TopicPartition> parts = consumer.partitionsFor(TopicCatalog.DLQ).stream()
                    .map(p -> new TopicPartition(TopicCatalog.DLQ, p.partition()))
                    .toList();
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
            long deadline = System.currentTimeMillis() + 30_000;
            while (out.size() < offsets.size() && System.currentTimeMillis() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.headers().lastHeader(DeadLetter.SOURCE_OFFSET) != null
                            && TopicCatalog.MODELS.equals(header(r, DeadLetter.SOURCE_TOPIC))
                            && ReleaseFollower.STAGE.equals(header(r, DeadLetter.STAGE))) {
                        long offset = Long.parseLong(header(r, DeadLetter.SOURCE_OFFSET));
                        if (offsets.contains(offset)) {
                            out.put(offset, r);
                        }
                    }
                }
            }
        }
        return out;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }
}
