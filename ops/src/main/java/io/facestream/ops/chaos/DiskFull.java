package io.facestream.ops.chaos;

import io.facestream.core.topics.TopicCatalog;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.GalleryWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The match service's disk full, then freed: its gallery index and Kafka Streams state directory live on a small
 * tmpfs of their own ({@link DiskJail}), which is filled to the last page while faces keep coming and a gallery
 * subject is enrolled (so the replica must write crops and an index commit). Readiness must turn false while the
 * disk is full, and once it has room again the service must be ready again with that subject applied; the run's
 * observations and FINAL decisions are counted as for every fault.
 */
record DiskFull() implements Fault {
    static final String NAME = "disk-full";
    /** The size of the match service's disk: ample for the campaign's state and index, quick to fill. */
    static final int DISK_MB = 64;
    /** How long the disk stays full. */
    static final Duration HOLD = Duration.ofSeconds(8);
    /** How long the service may take to be ready again once the disk has room. */
    static final Duration READY_AGAIN = Duration.ofSeconds(90);

    private static final String GALLERY = "chaos-disk-full";
    private static final Pattern APPLIED = Pattern.compile("applying; next offset (\\d+)");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Outcome inject(Rig rig, Random random, int run) throws InterruptedException {
        DiskJail disk = rig.disk();
        long at = System.currentTimeMillis();
        long filled = disk.fill();
        long offset;
        try (GalleryWriter writer = new GalleryWriter(rig.bootstrap(), TopicCatalog.GALLERY, "chaos-disk-full")) {
            offset = writer.publishAll(probe(run, random)).getLast();
        }
        boolean sawNotReady = false;
        long until = System.currentTimeMillis() + 30_000;
        while (!sawNotReady && System.currentTimeMillis() < until) {
            sawNotReady = !rig.match.alive() || Boolean.FALSE.equals(rig.match.ready());
            Thread.sleep(250);
        }
        Thread.sleep(HOLD.toMillis());
        disk.free();
        long freed = System.currentTimeMillis();

        // back: started again if it ended by itself while the disk was full (as compose would), then ready with the
        // subject enrolled during the fault applied
        boolean applied = false;
        until = freed + READY_AGAIN.toMillis();
        while (!applied && System.currentTimeMillis() < until) {
            rig.restartExited();
            applied = Boolean.TRUE.equals(rig.match.ready()) && appliedPast(rig.match.readinessBody(), offset);
            Thread.sleep(250);
        }
        String problem = null;
        if (!sawNotReady) {
            problem = "readiness never turned false while the disk was full";
        }
        if (!applied) {
            problem = (problem == null ? "" : problem + "; ") + "not ready with the gallery record at offset " + offset
                    + " applied within " + READY_AGAIN.toSeconds() + " s of freeing the disk: "
                    + rig.match.readinessBody();
        }
        String back = applied
                ? String.format("ready with it applied %.1f s after", (System.currentTimeMillis() - freed) / 1000.0)
                : "not ready again";
        return new Outcome(
                "filled match's " + DISK_MB + " MB disk (" + (filled >> 20) + " MB written), enrolled a subject, freed "
                        + "after " + (freed - at) / 1000 + " s (not ready meanwhile: " + sawNotReady + "), " + back,
                at,
                freed,
                problem);
    }

    /** The replica's readiness detail says it has applied beyond {@code offset}. */
    static boolean appliedPast(String readinessBody, long offset) {
        if (readinessBody == null) {
            return false;
        }
        Matcher m = APPLIED.matcher(readinessBody);
        return m.find() && Long.parseLong(m.group(1)) > offset;
    }

    /** A subject with one medium (an embedding and a crop) in a gallery no decision searches. */
    private static List<GalleryChange> probe(int run, Random random) {
        float[] feature = new float[16];
        for (int i = 0; i < feature.length; i++) {
            feature[i] = (float) random.nextGaussian();
        }
        byte[] crop = new byte[4096];
        random.nextBytes(crop);
        crop[0] = (byte) 0xFF;
        crop[1] = (byte) 0xD8;
        String subject = "disk-" + run;
        return List.of(
                new GalleryChange.DefineGallery(new GalleryDefinition(GALLERY, GalleryKind.SURVEILLANCE, Map.of())),
                new GalleryChange.PutSubject(new Subject(GALLERY, subject, "", Map.of())),
                new GalleryChange.PutMedium(new Medium(
                        GALLERY,
                        subject,
                        "m0",
                        List.of(new Embedding(new ModelVersion("mobilefacenet", "1"), feature)),
                        List.of(crop),
                        Map.of(),
                        System.currentTimeMillis() * 1000L)));
    }
}
