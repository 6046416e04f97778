package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.ModelRelease;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.embed.model.ModelStore;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
    void aReleaseThatCannotBeInstalledEndsItsHoldWithoutRollingOut(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir)
            throws Exception {
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
            try (ReleaseFollower follower = ReleaseFollower.start(bootstrap, model, new ModelStore(dir.resolve("store")), gallery,
                    rollouts, m -> {
                        opened.add(m.manifest().id());
                        throw new IllegalStateException("never reached: nothing can be installed");
                    }, Duration.ofMillis(200), rolledOut::add);
                 KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(bootstrap, "follow-" + model))) {
                ModelRelease release = ModelRelease.newBuilder().setName(model).setVersion(broken.version())
                        .setPreviousVersion("1").setLocation(dir.resolve("nowhere").toString()).build();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, "other" + model, release.toByteArray())).get();
                producer.send(new ProducerRecord<>(TopicCatalog.MODELS, model, release.toByteArray())).get();

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
}
