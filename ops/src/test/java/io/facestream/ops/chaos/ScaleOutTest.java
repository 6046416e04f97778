package io.facestream.ops.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.testing.Integration;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.zoo.ModelZoo;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Scale-out with real processes on one broker: two ingest processes (each its own cameras), two embed instances in
 * one group and two match instances of one application id, each its own JVM. The partitions of facestream.frames are
 * spread across both embed instances and those of facestream.faces across both match instances; after kill -9 of one
 * of each, the survivors own every partition and every acknowledged observation comes out exactly once, every track
 * with one FINAL. Ingest has no takeover: the killed ingest's cameras stop until it (or another process given the
 * same cameras) starts again, while the other ingest's cameras go on.
 */
@Integration
class ScaleOutTest {
    private static final Duration SESSION = Duration.ofSeconds(6);

    @Test
    void partitionsSpreadAcrossInstancesAndSurvivorsTakeOverWithNothingLost() throws Exception {
        // under target/, not a temporary directory: a failed run's process logs stay there to be read
        Path dir = Path.of("target", "scale-out-" + System.currentTimeMillis()).toAbsolutePath();
        ModelZoo.ensure(ModelZoo.defaultStore(), "mtcnn"); // pulled here, not inside a child's start-up
        ModelZoo.ensure(ModelZoo.defaultStore(), "mobilefacenet");
        Path images = images(dir.resolve("camera-images"));
        int frameParts = TopicCatalog.defaults().get(TopicCatalog.FRAMES).partitions();
        int faceParts = TopicCatalog.defaults().get(TopicCatalog.FACES).partitions();

        try (Rig rig = new Rig(dir, SESSION, System.out::println, 2, 2)) {
            // ingest scales by splitting the cameras: each process is given its own
            Child ingestA = rig.ingest("ingest-a", List.of(camera("door-a0", images), camera("door-a1", images)));
            Child ingestB = rig.ingest("ingest-b", List.of(camera("door-b0", images), camera("door-b1", images)));
            rig.addExtra(ingestA);
            rig.addExtra(ingestB);
            rig.start();

            List<Set<Integer>> embeds =
                    rig.awaitSpread(Rig.EMBED_GROUP, TopicCatalog.FRAMES, 2, frameParts, Duration.ofSeconds(60));
            assertTrue(
                    Rig.spread(embeds, 2, frameParts),
                    "both embed instances own facestream.frames partitions, each partition once: " + embeds);
            List<Set<Integer>> matches =
                    rig.awaitSpread(Rig.MATCH_APPLICATION, TopicCatalog.FACES, 2, faceParts, Duration.ofSeconds(60));
            assertTrue(
                    Rig.spread(matches, 2, faceParts),
                    "both match instances own facestream.faces partitions, each partition once: " + matches);

            try (Ledger ledger = new Ledger(rig.bootstrap(), true)) {
                Workload workload = new Workload(rig.bootstrap(), "scale", 8);
                Set<Ledger.Key> sent;
                int tracks;
                long bBefore;
                long aBefore;
                try {
                    Thread.sleep(6_000);
                    assertTrue(
                            ledger.frames("door-a0") > 0 && ledger.frames("door-b0") > 0,
                            "both ingest processes send frames: door-a0 " + ledger.frames("door-a0") + ", door-b0 "
                                    + ledger.frames("door-b0") + "; logs in " + dir);
                    rig.embeds.get(0).kill();
                    rig.matches.get(1).kill();
                    ingestB.kill();
                    Thread.sleep(2_000); // the killed ingest's last acknowledged frames have arrived
                    bBefore = ledger.frames("door-b0") + ledger.frames("door-b1");
                    aBefore = ledger.frames("door-a0") + ledger.frames("door-a1");
                    Thread.sleep(12_000); // input keeps coming while the survivors take the partitions over
                } finally {
                    workload.close();
                }
                sent = workload.sentFaces();
                tracks = workload.sentTracks();
                Set<String> cameras = new HashSet<>(workload.frameCameras());
                long until = System.currentTimeMillis() + 120_000;
                while (System.currentTimeMillis() < until
                        && !(ledger.faces(cameras).keySet().containsAll(sent)
                                && ledger.finals(workload.trackCamera()).size() >= tracks)) {
                    ledger.checkRunning();
                    Thread.sleep(500);
                }
                Thread.sleep(3_000); // a duplicate, or a zombie's late commit, would be visible by now
                Ledger.Tally tally = ledger.tally(sent, cameras, workload.trackCamera(), tracks);
                String logs = "; logs in " + dir;
                System.out.printf(
                        "scale-out: assignments before the kills: embed %s, match %s; %d observations and %d tracks"
                                + " in, %d lost, %d duplicated, %d tracks with one FINAL; frames of the killed ingest's"
                                + " cameras %d -> %d, of the other's %d -> %d%n",
                        embeds,
                        matches,
                        sent.size(),
                        tracks,
                        tally.lost(),
                        tally.duplicated(),
                        tally.finalsOk(),
                        bBefore,
                        ledger.frames("door-b0") + ledger.frames("door-b1"),
                        aBefore,
                        ledger.frames("door-a0") + ledger.frames("door-a1"));
                assertTrue(sent.size() > 100, "observations went in: " + sent.size());
                assertTrue(tracks > 5, "tracks went in: " + tracks);
                assertEquals(0, tally.lost(), "lost, first few: " + tally.examples() + logs);
                assertEquals(0, tally.duplicated(), "duplicated, first few: " + tally.examples() + logs);
                assertEquals(tracks, tally.finalsOk(), "tracks with exactly one FINAL" + logs);

                long bAfter = ledger.frames("door-b0") + ledger.frames("door-b1");
                long aAfter = ledger.frames("door-a0") + ledger.frames("door-a1");
                assertEquals(bBefore, bAfter, "the killed ingest's cameras stop: nobody takes them over");
                assertTrue(aAfter > aBefore, "the other ingest's cameras go on: " + aBefore + " -> " + aAfter);
            }

            List<Set<Integer>> embedsAfter =
                    rig.awaitSpread(Rig.EMBED_GROUP, TopicCatalog.FRAMES, 1, frameParts, Duration.ofSeconds(60));
            assertTrue(
                    Rig.spread(embedsAfter, 1, frameParts),
                    "the surviving embed instance owns every facestream.frames partition: " + embedsAfter);
            List<Set<Integer>> matchesAfter =
                    rig.awaitSpread(Rig.MATCH_APPLICATION, TopicCatalog.FACES, 1, faceParts, Duration.ofSeconds(60));
            assertTrue(
                    Rig.spread(matchesAfter, 1, faceParts),
                    "the surviving match instance owns every facestream.faces partition: " + matchesAfter);
        }
        io.facestream.core.files.FileTrees.delete(dir);
    }

    /** An image-directory camera looping at 1 frame per second (the embed instances detect on its frames). */
    private static String camera(String id, Path images) {
        return id + "=" + images + ";fps=1;image-fps=2;at-end=loop";
    }

    /** Four small synthetic images without faces: detection runs on them and finds nothing. */
    private static Path images(Path dir) throws Exception {
        Files.createDirectories(dir);
        for (int i = 0; i < 4; i++) {
            BufferedImage img = new BufferedImage(160, 120, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 120; y++) {
                for (int x = 0; x < 160; x++) {
                    int v = (x * (3 + i) + y * 5) & 0xff;
                    img.setRGB(x, y, v << 16 | ((v + 40 * i) & 0xff) << 8 | (255 - v));
                }
            }
            ImageIO.write(img, "jpg", dir.resolve(String.format("%03d.jpg", i)).toFile());
        }
        return dir;
    }
}
