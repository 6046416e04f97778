package io.facestream.synth;

import io.facestream.core.json.Json;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/** Generates a whole synthetic IJB-S-format data set: identities, stills, videos, ground truth, protocol. */
public final class IjbsSynthesizer {

    /** What was written. */
    public record Summary(
            int subjects,
            int enrolled,
            int stills,
            int videos,
            long frames,
            long videoFaces,
            long bytes,
            double seconds) {}

    private final SynthSpec spec;
    private final IdentitySource source;
    private final PrintStream progress;

    public IjbsSynthesizer(SynthSpec spec, IdentitySource source, PrintStream progress) {
        this.spec = spec;
        this.source = source;
        this.progress = progress;
    }

    public Summary generate() {
        long t0 = System.nanoTime();
        Path out = spec.out();
        try {
            Files.createDirectories(out.resolve("videos"));
            Files.createDirectories(out.resolve("img"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output folder " + out, e);
        }
        List<Identity> identities = source.identities(spec.subjects(), spec.seed());
        Casting casting = Casting.plan(spec.subjects(), spec.videos(), spec.seed());

        StillRenderer stills = new StillRenderer(spec);
        List<FaceLabel> stillLabels = new ArrayList<>();
        int enrolled = 0;
        for (Identity id : identities) {
            if (casting.isEnrolled(id.subject())) {
                enrolled++;
                for (int k = 0; k < SynthSpec.BOOKING_STILLS; k++) {
                    stillLabels.add(stills.render(id, k));
                }
            }
        }

        ProgressLine line = new ProgressLine("frames", (long) spec.videos() * spec.framesPerVideo(), progress);
        VideoRenderer videos = new VideoRenderer(spec, identities);
        List<List<FaceLabel>> videoLabels = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(spec.threads());
        try {
            List<Future<List<FaceLabel>>> jobs = new ArrayList<>();
            for (int v = 0; v < spec.videos(); v++) {
                int video = v;
                jobs.add(pool.submit(() -> videos.render(video, casting.cast().get(video), line::tick)));
            }
            for (Future<List<FaceLabel>> job : jobs) {
                videoLabels.add(job.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while rendering videos", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }

        new ProtocolWriter(out).write(spec, casting, stillLabels, videoLabels);
        writeManifest(identities, casting);
        long faces = videoLabels.stream().mapToLong(List::size).sum();
        return new Summary(
                spec.subjects(),
                enrolled,
                stillLabels.size(),
                spec.videos(),
                (long) spec.videos() * spec.framesPerVideo(),
                faces,
                sizeOf(out),
                (System.nanoTime() - t0) / 1e9);
    }

    private void writeManifest(List<Identity> identities, Casting casting) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("generator", "facestream synth ijbs");
        m.put("seed", spec.seed());
        m.put("subjects", spec.subjects());
        m.put("videos", spec.videos());
        m.put("frames_per_video", spec.framesPerVideo());
        m.put("fps", SynthSpec.FPS);
        m.put("size", spec.width() + "x" + spec.height());
        m.put("face_sizes", List.of(spec.minFace(), spec.maxFace()));
        m.put("identity_source", source.describe());
        List<Map<String, Object>> ids = new ArrayList<>();
        for (Identity id : identities) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("subject", id.subject());
            e.put("gallery", casting.galleryOf(id.subject()));
            e.put("recipe", id.recipe());
            ids.add(e);
        }
        m.put("identities", ids);
        try {
            Json.mapper()
                    .writerWithDefaultPrettyPrinter()
                    .writeValue(spec.out().resolve("synth.json").toFile(), m);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write synth.json", e);
        }
    }

    private static long sizeOf(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .mapToLong(p -> p.toFile().length())
                    .sum();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot measure " + dir, e);
        }
    }
}
