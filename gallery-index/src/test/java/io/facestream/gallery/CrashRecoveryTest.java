package io.facestream.gallery;

import static io.facestream.gallery.Fixtures.feature;
import static io.facestream.gallery.Fixtures.jpeg;
import static io.facestream.gallery.Fixtures.medium;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.KafkaBroker;
import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKey;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.GalleryReplica;
import io.facestream.gallery.replication.GalleryWriter;
import io.facestream.gallery.search.SearchRequest;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replica process is killed (SIGKILL) while it applies the topic; a restarted replica on the same directory
 * recovers to the last commit, replays the rest, and then holds exactly what the topic says.
 */
@KafkaBroker
class CrashRecoveryTest {
    @TempDir
    Path dir;

    @Test
    void killedMidWriteRecoversToExactlyTheTopic(@KafkaBroker.Bootstrap String bootstrap) throws Exception {
        String topic = Fixtures.newTopic(bootstrap);
        Random noise = new Random(7);
        try (GalleryWriter writer = new GalleryWriter(bootstrap, topic, "crash-test")) {
            writer.publish(new GalleryChange.DefineGallery(
                    new GalleryDefinition("watch", GalleryKind.SURVEILLANCE, Map.of())));
            writer.publish(
                    new GalleryChange.DefineGallery(new GalleryDefinition("book", GalleryKind.BOOKING, Map.of())));
            for (int s = 0; s < 40; s++) {
                writer.publish(new GalleryChange.PutSubject(
                        new Subject(s % 4 == 0 ? "book" : "watch", "s" + s, "", Map.of())));
            }

            Process child = startReplica(bootstrap, topic);
            long killedAt;
            try {
                int i = 0;
                // keep writing until the child has committed a few times, and once with a caught-up time (without
                // one the rebuild rule must rebuild: on a loaded machine the first commits can come before the
                // replica first reaches the topic's end), then kill it while records keep coming
                while ((committedOffset() < 300 || !committedCaughtUp()) && i < 20_000) {
                    publishOne(writer, i++, noise);
                    if (!child.isAlive()) {
                        throw new AssertionError("replica process died: exit " + child.exitValue() + " "
                                + new String(child.getErrorStream().readAllBytes()));
                    }
                }
                child.destroyForcibly();
                assertTrue(child.waitFor(30, TimeUnit.SECONDS));
                killedAt = committedOffset();
                for (int j = 0; j < 300; j++) {
                    publishOne(writer, i++, noise);
                }
            } finally {
                child.destroyForcibly();
            }
            TopicState topicState = TopicState.read(bootstrap, topic);
            assertTrue(
                    killedAt > 0 && killedAt < topicState.endOffset,
                    "the kill must land mid-way: last commit " + killedAt + " of " + topicState.endOffset);

            try (Gallery recovered = Gallery.open(Fixtures.settings(dir, topic), bootstrap)) {
                assertEquals(
                        killedAt,
                        recovered.index().committedNextOffset().orElseThrow(),
                        "the restarted replica resumes from the last commit of the killed one");
                assertEquals(
                        0, recovered.replica().rebuilds(), "a replica killed moments ago resumes, it does not rebuild");
                IndexContents.assertEqualsTopic(topicState, recovered.index(), "watch");
                IndexContents.assertEqualsTopic(topicState, recovered.index(), "book");
                // booking templates were re-fused from the replayed media: one per subject with media
                long bookingSubjectsWithMedia = topicState.media().values().stream()
                        .filter(m -> m.gallery().equals("book"))
                        .map(m -> m.subjectId())
                        .distinct()
                        .count();
                var any = topicState.media().values().stream()
                        .filter(m -> m.gallery().equals("book"))
                        .findFirst()
                        .orElseThrow();
                assertEquals(
                        bookingSubjectsWithMedia,
                        recovered
                                .search(SearchRequest.of(
                                        "book",
                                        Fixtures.ADAFACE,
                                        any.embeddings().get(0).values(),
                                        1000))
                                .hits()
                                .size());
            }
        }
    }

    /** Mostly new media, some replacements (same key again) and some deletions, so replay must be idempotent. */
    private static void publishOne(GalleryWriter writer, int i, Random noise) {
        int s = i % 40;
        String gallery = s % 4 == 0 ? "book" : "watch";
        String media = "m" + (i % 97);
        if (i % 11 == 5) {
            writer.publish(new GalleryChange.Remove(new GalleryKey.OfMedium(gallery, "s" + s, media)));
        } else {
            writer.publish(new GalleryChange.PutMedium(
                    medium(gallery, "s" + s, media, feature(s, noise, 0.4), jpeg(i), jpeg(i + 1))));
        }
    }

    private boolean committedCaughtUp() {
        return GalleryIndex.lastCommitData(dir).containsKey(GalleryReplica.CAUGHT_UP_AT);
    }

    private long committedOffset() {
        String next = GalleryIndex.lastCommitData(dir).get(GalleryIndex.NEXT_OFFSET);
        return next == null ? 0 : Long.parseLong(next);
    }

    private Process startReplica(String bootstrap, String topic) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(List.of(
                        java,
                        io.facestream.core.testing.ChildJvm.jvmOptions(),
                        "-XX:TieredStopAtLevel=1",
                        "-Xmx512m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        ReplicaProcess.class.getName(),
                        bootstrap,
                        topic,
                        dir.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(new File(dir.toFile(), "replica-process.log"))
                .start();
    }
}
