package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two match instances (each its own gallery replica and follower, one broker) roll out one release: exactly one of
 * them re-embeds, the other re-embeds nothing, and both see the new version complete and report it rolled out. When the
 * re-embedding instance leaves, the other one takes the work over: a medium enrolled afterwards with only the old
 * version gets the new one from it.
 */
@KafkaBroker
class ReembedLeadershipTest {
    private static final int MEDIA = 6;

    @Test
    void oneInstanceReembedsAndAnotherTakesOverWhenItLeaves(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
        String model = "lead" + UUID.randomUUID().toString().substring(0, 6);
        ModelStore store = new ModelStore(dir.resolve("store"));
        ModelStore.InstalledModel base = ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        ModelStore.InstalledModel v1 = RolloutFixtures.install(base, store, model, "1");
        RolloutFixtures.install(base, store, model, "2");
        ModelVersion from = new ModelVersion(model, "1"), to = new ModelVersion(model, "2");
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        OnnxSessions sessions = new OnnxSessions(Device.CPU, 1);
        String name = "g-" + model;
        List<ModelVersion> rolledOutA = new CopyOnWriteArrayList<>(), rolledOutB = new CopyOnWriteArrayList<>();
        try (Gallery a = Gallery.open(GallerySettings.at(dir.resolve("a")), bootstrap);
             Gallery b = Gallery.open(GallerySettings.at(dir.resolve("b")), bootstrap);
             FaceEmbedder embedder = new FaceEmbedder(v1, sessions, 8);
             KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "lead-" + model))) {
            RolloutFixtures.enrol(a, name, MEDIA, embedder, from, 5);
            ReleaseFollower followerA = ReleaseFollower.start(bootstrap, model, store, a, Rollouts.over(a.index()),
                    m -> new FaceEmbedder(m, sessions, 8), Duration.ofSeconds(2), rolledOutA::add);
            ReleaseFollower followerB = ReleaseFollower.start(bootstrap, model, store, b, Rollouts.over(b.index()),
                    m -> new FaceEmbedder(m, sessions, 8), Duration.ofSeconds(2), rolledOutB::add);
            try {
                await("both instances joined, exactly one leads",
                        () -> followerA.joined() && followerB.joined() && followerA.leads() != followerB.leads(), 60);
                ModelRelease release = ModelRelease.newBuilder().setName(model).setVersion("2").setPreviousVersion("1")
                        .setLocation(store.root().resolve(model).resolve("2").toString()).build();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, release.toByteArray())).get();
                await("both instances rolled out", () -> rolledOutA.contains(to) && rolledOutB.contains(to), 120);

                ReleaseFollower leader = followerA.leads() ? followerA : followerB;
                ReleaseFollower other = leader == followerA ? followerB : followerA;
                // galleries of earlier tests on the shared topic are re-embedded too: at least this test's media
                assertTrue(leader.reembedded() >= MEDIA, "the leading instance re-embedded: " + leader.reembedded());
                assertEquals(0, other.reembedded(), "the other one waited for its vectors");
                for (Gallery g : List.of(a, b)) {
                    assertTrue(g.reembed().pending(name, to).isEmpty(), "every replica has " + to + " for every medium");
                }

                // the leader leaves; a medium enrolled later with the old version only is topped up by the other
                leader.close();
                Gallery otherReplica = other == followerA ? a : b;
                await("the other instance leads", other::leads, 60);
                RolloutFixtures.enrol(otherReplica, name + "x", 1, embedder, from, 9);
                await("the late medium has " + to, () -> otherReplica.reembed().pending(name + "x", to).isEmpty(), 60);
                assertTrue(other.reembedded() >= 1, "the new leader re-embedded the late medium");
            } finally {
                followerA.close();
                followerB.close();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, null)).get();
            }
        }
    }

    private static void await(String what, BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.currentTimeMillis() + seconds * 1000L;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(what + ": not within " + seconds + " s");
            }
            Thread.sleep(50);
        }
    }
}
