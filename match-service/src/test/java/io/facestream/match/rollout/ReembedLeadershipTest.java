package io.facestream.match.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.gallery.model.ModelVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
        RolloutFixtures.TwoVersions models = RolloutFixtures.TwoVersions.install("lead", dir, bootstrap);
        ModelVersion from = models.from(), to = models.to();
        String name = "g-" + models.model();
        List<ModelVersion> rolledOutA = new CopyOnWriteArrayList<>(), rolledOutB = new CopyOnWriteArrayList<>();
        try (Gallery a = Gallery.open(GallerySettings.at(dir.resolve("a")), bootstrap);
                Gallery b = Gallery.open(GallerySettings.at(dir.resolve("b")), bootstrap);
                FaceEmbedder embedder = models.embedder()) {
            RolloutFixtures.enrol(a, name, MEDIA, embedder, from, 5);
            ReleaseFollower followerA = models.follow(bootstrap, a, Duration.ofSeconds(2), rolledOutA::add);
            ReleaseFollower followerB = models.follow(bootstrap, b, Duration.ofSeconds(2), rolledOutB::add);
            try {
                RolloutFixtures.await(
                        "both instances joined, exactly one leads",
                        () -> followerA.joined() && followerB.joined() && followerA.leads() != followerB.leads(),
                        60);
                models.release(bootstrap);
                RolloutFixtures.await(
                        "both instances rolled out", () -> rolledOutA.contains(to) && rolledOutB.contains(to), 120);

                ReleaseFollower leader = followerA.leads() ? followerA : followerB;
                ReleaseFollower other = leader == followerA ? followerB : followerA;
                // galleries of earlier tests on the shared topic are re-embedded too: at least this test's media
                assertTrue(leader.reembedded() >= MEDIA, "the leading instance re-embedded: " + leader.reembedded());
                assertEquals(0, other.reembedded(), "the other one waited for its vectors");
                for (Gallery g : List.of(a, b)) {
                    assertTrue(
                            g.reembed().pending(name, to).isEmpty(), "every replica has " + to + " for every medium");
                }

                // the leader leaves; a medium enrolled later with the old version only is topped up by the other
                leader.close();
                Gallery otherReplica = other == followerA ? a : b;
                RolloutFixtures.await("the other instance leads", other::leads, 60);
                RolloutFixtures.enrol(otherReplica, name + "x", 1, embedder, from, 9);
                RolloutFixtures.await(
                        "the late medium has " + to,
                        () -> otherReplica.reembed().pending(name + "x", to).isEmpty(),
                        60);
                // the vector is searchable before the follower has counted it: wait for the count, not just the vector
                RolloutFixtures.await(
                        "the new leader counts the late medium as re-embedded by it",
                        () -> other.reembedded() >= 1,
                        30);
            } finally {
                followerA.close();
                followerB.close();
                models.withdraw(bootstrap);
            }
        }
    }
}
