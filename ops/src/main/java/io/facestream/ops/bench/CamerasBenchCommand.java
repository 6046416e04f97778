package io.facestream.ops.bench;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.json.Json;
import io.facestream.embed.detect.gating.GatedDetector;
import io.facestream.embed.detect.gating.GatingSettings;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.eval.Progress;
import io.facestream.eval.footage.Footage;
import io.facestream.eval.footage.GroundTruth;
import io.facestream.eval.footage.OfflineFootageSource;
import io.facestream.eval.ijbs.Face;
import io.facestream.eval.ijbs.FeatureSource;
import io.facestream.eval.ijbs.IjbsEvaluation;
import io.facestream.eval.ijbs.ProtocolOutcome;
import io.facestream.eval.ijbs.protocol.IjbsProtocolFolder;
import io.facestream.eval.ijbs.protocol.IjbsProtocolReader;
import io.facestream.ops.FacestreamCli;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.bytedeco.opencv.global.opencv_core;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench cameras}: how many cameras one core carries, and what a cheaper configuration costs in
 * faces. Real detection on rendered surveillance footage with exact ground truth ({@code synth ijbs}, several people
 * walking, faces 16–150 px): per resolution and configuration, the CPU time of a frame split into decode, detect,
 * align and embed (one thread), cameras per core at 5 fps, detection recall and precision at IoU ≥ 0.5 on faces of
 * at least 20 px, and the Surveillance-to-Single Rank-1 of exactly the faces that configuration found. The first row
 * of each resolution is full-frame MTCNN at the configured settings, the reference.
 *
 * <p>Rigour: configurations are measured interleaved, round by round (the order reversed every other round, so a
 * drift in machine load falls on all of them alike), each measurement preceded by the same warm-up pass on a separate
 * warm-up clip; times are the median of the rounds with their min–max, the ratio to the reference is taken within each
 * round; load average and commit are recorded.
 */
@Command(
        name = "cameras",
        mixinStandardHelpOptions = true,
        description =
                "CPU ms per frame (decode/detect/align/embed), cameras per core at 5 fps, detection recall/precision "
                        + "and Sur-to-Single Rank-1 per resolution and detector configuration, on synthetic footage with ground truth.")
public final class CamerasBenchCommand implements Callable<Integer> {
    /** Frames per second a camera is assumed to need analysed (cameras per core = 1000 / (FPS × ms per frame)). */
    static final double FPS = 5;
    /** Ground-truth faces below this side are not graded (neither misses nor, when found, detections). */
    static final double GRADED_SIDE = 20;

    static final int MIN_FACE = 16;
    static final int MAX_FACE = 150;

    @Option(
            names = "--resolution",
            split = ",",
            paramLabel = "WxH,...",
            description = "Frame sizes (default: 640x480,1920x1080)")
    List<String> resolutions = List.of("640x480", "1920x1080");

    @Option(
            names = "--detector",
            split = ",",
            paramLabel = "CONFIG,...",
            description = "Row configurations after the reference (mtcnn): presets mtcnn-min40, blazeface, or "
                    + "DETECTOR[+KEY=VALUE...] (default: mtcnn-min40,blazeface)")
    List<String> detectors = List.of("mtcnn-min40", "blazeface");

    @Option(names = "--rounds", paramLabel = "N", description = "Interleaved measurement rounds (default: 3)")
    int rounds = 3;

    @Option(names = "--subjects", paramLabel = "N", description = "Footage: subjects (default: 12)")
    int subjects = 12;

    @Option(names = "--videos", paramLabel = "N", description = "Footage: videos per resolution (default: 6)")
    int videos = 6;

    @Option(
            names = "--frames-per-video",
            paramLabel = "N",
            description = "Footage: frames per video, 25 fps (default: 20)")
    int framesPerVideo = 20;

    @Option(
            names = "--warmup-frames",
            paramLabel = "N",
            description = "Frames of the warm-up clip run before every measurement (default: 8)")
    int warmupFrames = 8;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Also write the table as JSON ({\"title\", \"rows\", \"notes\"})")
    Path json;

    @Mixin
    ConfigOptions options;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            description = "cpu, cuda or cuda:N (sets face.device; default: the configured face.device, cpu)")
    String device;

    /** The configuration, with {@code --device} as {@code face.device}. */
    FacestreamConfig config() {
        return options.load("face.device", device);
    }

    /** OpenCV's thread count before this command set it to 1, −1 while unchanged. */
    private int previousCvThreads = -1;

    /** One measured pass of one configuration in one round. */
    private record Sample(CameraPass.Result pass, double rank1, int matedProbes, int emptyProbes) {}

    @Override
    public Integer call() {
        if (rounds < 1 || subjects < 2 || videos < 1 || framesPerVideo < 2 || warmupFrames < 2) {
            throw new IllegalArgumentException("--rounds must be >= 1, --subjects >= 2, --videos >= 1, "
                    + "--frames-per-video and --warmup-frames >= 2");
        }
        List<int[]> sizes = resolutions.stream().map(CamerasBenchCommand::size).toList();
        List<CameraConfig> configs = new ArrayList<>();
        configs.add(CameraConfig.REFERENCE);
        for (String d : detectors) {
            CameraConfig c = CameraConfig.parse(d);
            if (configs.stream().noneMatch(x -> x.name().equals(c.name()))) {
                configs.add(c);
            }
        }
        FacestreamConfig base = config();
        FacestreamPaths paths = FacestreamPaths.of(base);
        String loadStart = BenchMachine.loadAverage();
        String commit = BenchMachine.commit();

        Table t = new Table(
                "bench cameras: CPU per frame on one thread, detection and identification on synthetic "
                        + "surveillance footage (faces " + MIN_FACE + "-" + MAX_FACE + " px)",
                "resolution",
                "config",
                "decode_ms",
                "detect_ms",
                "align_ms",
                "embed_ms",
                "ms_per_frame",
                "ms_min_max",
                "x_reference",
                "x_reference_min_max",
                "cameras_per_core",
                "recall",
                "precision",
                "rank1",
                "frames",
                "faces_graded",
                "detections_graded",
                "probes_mated",
                "probes_without_face",
                "rounds");
        List<GatedDetector> detectorsOpen = new ArrayList<>();
        previousCvThreads = -1;
        FaceSettings faceSettings = FaceSettings.from(CameraConfig.REFERENCE.apply(base));
        EmbedBenchCommand.requireDevice(faceSettings.device());
        ModelStore store = ModelZoo.store(base);
        try (FaceEmbedder embedder = new ModelRouter(new OnnxSessions(faceSettings.device(), 1), faceSettings)
                .embedder(ModelZoo.resolve(store, faceSettings.embedder()))) {
            List<CameraPass> passes = new ArrayList<>();
            for (CameraConfig c : configs) {
                FaceSettings s = FaceSettings.from(c.apply(base));
                GatingSettings gating = GatingSettings.from(c.apply(base));
                GatedDetector d = GatedDetector.of(
                        new ModelRouter(new OnnxSessions(s.device(), s.intraOpThreads()), s)
                                .detector(ModelZoo.ensure(store, ModelZoo.nameOf(s.detector()))),
                        gating);
                detectorsOpen.add(d);
                passes.add(new CameraPass(d, embedder, GRADED_SIDE));
            }
            for (int[] wh : sizes) {
                measure(t, paths, wh, configs, passes, embedder);
            }
        } finally {
            detectorsOpen.forEach(GatedDetector::close);
            if (previousCvThreads >= 0) {
                opencv_core.setNumThreads(previousCvThreads);
            }
        }
        String loadEnd = BenchMachine.loadAverage();
        t.note(
                        "reference",
                        "the first row of each resolution: " + CameraConfig.REFERENCE.describe()
                                + " at the configured face.mtcnn.* settings; x_reference = ms_per_frame / the reference's, per round")
                .note("configs", configs.stream().map(CameraConfig::describe).toList())
                .note("device", faceSettings.device().toString())
                .note(
                        "ms",
                        "CPU time of the measuring thread (ThreadMXBean) per decoded frame, every frame of every video "
                                + "with or without faces; decode = FFmpeg (1 thread) + BGR conversion, detect = the detector, "
                                + "align = 112x112 similarity warp of every detection, embed = "
                                + faceSettings.embedder()
                                + " on every detection; ONNX Runtime intra-op threads 1, OpenCV threads 1")
                .note(
                        "statistics",
                        "per-stage ms and ms_per_frame: median of the rounds (n = rounds, each a mean over "
                                + "n = frames frames); ms_min_max and x_reference_min_max: min-max over the rounds")
                .note(
                        "cameras_per_core",
                        "1000 / (" + (int) FPS + " fps x ms_per_frame): cameras one core analyses at " + (int) FPS
                                + " fps")
                .note(
                        "recall",
                        "ground-truth faces of at least " + (int) GRADED_SIDE + " px (max of width and height) "
                                + "matched by a detection at IoU >= " + DetectionMatch.IOU
                                + ", one-to-one, greedy by IoU; "
                                + "n = faces_graded per round")
                .note(
                        "precision",
                        "matched detections / detections_graded (n); detections matching a face below "
                                + (int) GRADED_SIDE + " px are not counted either way")
                .note(
                        "rank1",
                        "IJB-S Surveillance-to-Single Rank-1 (closed set over G1+G2, n = probes_mated) of the video "
                                + "faces this configuration found, each aligned with its detected landmarks; gallery stills "
                                + "aligned with their ground truth; a probe whose faces were all missed (probes_without_face, of all probes) is "
                                + "a zero template scoring 0 against every gallery template, so its rank is decided by the tie order")
                .note("rounds", rounds + " interleaved rounds: the configurations in order, reversed every other round")
                .note(
                        "warm-up",
                        "before every measurement the configuration runs the same " + warmupFrames
                                + "-frame warm-up clip (a separate synthetic data set, seed 2), not measured")
                .note(
                        "footage",
                        subjects + " subjects, " + videos + " videos x " + framesPerVideo
                                + " frames per resolution (synth ijbs, seed 1, faces " + MIN_FACE + "-" + MAX_FACE
                                + " px), cached in "
                                + paths.cache("bench"))
                .note("load average at start", loadStart)
                .note("load average at end", loadEnd)
                .note("cpu cores", Runtime.getRuntime().availableProcessors())
                .note("commit", commit);
        t.print(System.out);
        if (json != null) {
            try {
                if (json.getParent() != null) {
                    Files.createDirectories(json.getParent());
                }
                Json.mapper().writerWithDefaultPrettyPrinter().writeValue(json.toFile(), t.toJson());
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + json, e);
            }
        }
        return 0;
    }

    private void measure(
            Table t,
            FacestreamPaths paths,
            int[] wh,
            List<CameraConfig> configs,
            List<CameraPass> passes,
            FaceEmbedder embedder) {
        String resolution = wh[0] + "x" + wh[1];
        Path set = footage(
                paths,
                "cameras-" + resolution + "-s" + subjects + "-v" + videos + "-f" + framesPerVideo,
                wh,
                subjects,
                videos,
                framesPerVideo,
                1);
        Path warm = footage(paths, "cameras-warmup-" + resolution + "-f" + warmupFrames, wh, 2, 1, warmupFrames, 2);
        GroundTruth truth = GroundTruth.read(set);
        GroundTruth warmTruth = GroundTruth.read(warm);
        IjbsProtocolFolder protocol = IjbsProtocolReader.read(set);
        List<Face> stills = stills(set, truth, embedder);
        if (previousCvThreads < 0) {
            // OpenCV's own pool would run resizes and warps on other threads, out of this thread's CPU clock. Set
            // only once OpenCV has processed an image: as the very first OpenCV call it crashed the JVM (SIGSEGV).
            previousCvThreads = opencv_core.getNumThreads();
            opencv_core.setNumThreads(1);
        }

        List<List<Sample>> samples = new ArrayList<>();
        configs.forEach(c -> samples.add(new ArrayList<>()));
        List<GatedDetector.Counters> gateBefore =
                passes.stream().map(p -> p.detector().counters()).toList();
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < configs.size(); k++) {
                int i = r % 2 == 0 ? k : configs.size() - 1 - k;
                passes.get(i).run(warm, warmTruth);
                CameraPass.Result pass = passes.get(i).run(set, truth);
                ProtocolOutcome outcome = rank1(
                        protocol,
                        stills,
                        pass.faces(),
                        embedder.manifest().embedding().size());
                Sample s = new Sample(
                        pass, outcome.result().rank(1), outcome.result().matedProbes(), outcome.emptyProbeTemplates());
                samples.get(i).add(s);
                System.err.printf(
                        Locale.ROOT,
                        "bench cameras: %s %s round %d/%d: %.1f ms/frame, recall %.3f, rank-1 %.3f%n",
                        resolution,
                        configs.get(i).name(),
                        r + 1,
                        rounds,
                        pass.msPerFrame(),
                        pass.recall(),
                        s.rank1());
            }
        }
        double[] reference =
                samples.get(0).stream().mapToDouble(s -> s.pass().msPerFrame()).toArray();
        for (int i = 0; i < configs.size(); i++) {
            List<Sample> ss = samples.get(i);
            double[] ms = ss.stream().mapToDouble(s -> s.pass().msPerFrame()).toArray();
            double[] ratio = new double[ms.length];
            for (int r = 0; r < ms.length; r++) {
                ratio[r] = ms[r] / reference[r];
            }
            Sample first = ss.get(0);
            boolean stable = ss.stream()
                    .allMatch(s -> s.pass().found() == first.pass().found()
                            && s.pass().detections() == first.pass().detections()
                            && s.rank1() == first.rank1());
            if (!stable) {
                // detection is deterministic; a difference between rounds means a nondeterministic model or decoder
                t.note(
                        "unstable " + resolution + " " + configs.get(i).name(),
                        "detections or rank-1 differ between rounds: "
                                + ss.stream()
                                        .map(s -> s.pass().found() + "/"
                                                + s.pass().detections() + "/" + round(s.rank1(), 4))
                                        .toList());
            }
            GatedDetector gate = passes.get(i).detector();
            if (gate.settings().mode() != GatingSettings.Mode.OFF) {
                GatedDetector.Counters before = gateBefore.get(i);
                GatedDetector.Counters after = gate.counters();
                long seen = after.frames() - before.frames();
                double share = seen == 0
                        ? 0
                        : (after.searchedShare() * after.frames() - before.searchedShare() * before.frames()) / seen;
                t.note(
                        "gating " + resolution + " " + configs.get(i).name(),
                        (after.fullFrames() - before.fullFrames()) + " of " + seen
                                + " frames searched whole (warm-up included); mean share of the frame searched "
                                + round(share, 3));
            }
            long frames = first.pass().frames();
            double msMedian = Rounds.median(ms);
            t.row(
                    resolution,
                    configs.get(i).name(),
                    round(Rounds.median(stage(ss, CameraPass.Stages::decode, frames)), 2),
                    round(Rounds.median(stage(ss, CameraPass.Stages::detect, frames)), 2),
                    round(Rounds.median(stage(ss, CameraPass.Stages::align, frames)), 2),
                    round(Rounds.median(stage(ss, CameraPass.Stages::embed, frames)), 2),
                    round(msMedian, 2),
                    range(ms, 1),
                    round(Rounds.median(ratio), 3),
                    range(ratio, 3),
                    round(1000 / (FPS * msMedian), 2),
                    round(first.pass().recall(), 4),
                    round(first.pass().precision(), 4),
                    round(first.rank1(), 4),
                    frames,
                    first.pass().graded(),
                    first.pass().detections(),
                    first.matedProbes(),
                    first.emptyProbes(),
                    ss.size());
        }
    }

    private static double[] stage(
            List<Sample> ss, java.util.function.ToLongFunction<CameraPass.Stages> which, long frames) {
        return ss.stream()
                .mapToDouble(s -> which.applyAsLong(s.pass().cpu()) / 1e6 / frames)
                .toArray();
    }

    /** The enrolment stills embedded once per data set, aligned with their ground-truth landmarks (the gallery side). */
    private static List<Face> stills(Path set, GroundTruth truth, FaceEmbedder embedder) {
        List<Face> out = new ArrayList<>();
        new OfflineFootageSource(new Footage(set, truth.stills()), embedder).forEach(out::add);
        return out;
    }

    private static ProtocolOutcome rank1(IjbsProtocolFolder protocol, List<Face> stills, List<Face> video, int dim) {
        FeatureSource source = new FeatureSource() {
            @Override
            public int dim() {
                return dim;
            }

            @Override
            public long faces() {
                return stills.size() + video.size();
            }

            @Override
            public void forEach(Consumer<Face> sink) {
                stills.forEach(sink);
                video.forEach(sink);
            }

            @Override
            public String describe() {
                return "bench cameras faces (" + stills.size() + " stills, " + video.size() + " detected video faces)";
            }
        };
        return new IjbsEvaluation(protocol).evaluate(source, Progress.silent()).surToSingle();
    }

    /** A synthetic data set, rendered once per parameters into the facestream cache. */
    private static Path footage(
            FacestreamPaths paths, String name, int[] wh, int subjects, int videos, int frames, long seed) {
        Path dir = paths.cache("bench").resolve(name);
        if (!Files.isRegularFile(dir.resolve("synth.json"))) {
            System.err.println("bench cameras: rendering " + dir);
            int rc = FacestreamCli.run(
                    "synth",
                    "ijbs",
                    "--out",
                    dir.toString(),
                    "--subjects",
                    Integer.toString(subjects),
                    "--videos",
                    Integer.toString(videos),
                    "--frames-per-video",
                    Integer.toString(frames),
                    "--size",
                    wh[0] + "x" + wh[1],
                    "--min-face",
                    Integer.toString(MIN_FACE),
                    "--max-face",
                    Integer.toString(MAX_FACE),
                    "--seed",
                    Long.toString(seed));
            if (rc != 0) {
                throw new CommandFailed("rendering the benchmark footage in " + dir + " failed (exit " + rc
                        + "); delete the folder and run again");
            }
        }
        return dir;
    }

    static int[] size(String text) {
        String[] wh = text.trim().toLowerCase(Locale.ROOT).split("x");
        try {
            if (wh.length == 2) {
                int w = Integer.parseInt(wh[0]);
                int h = Integer.parseInt(wh[1]);
                if (w >= 2 * MAX_FACE && h >= MAX_FACE + 2) {
                    return new int[] {w, h};
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--resolution '" + text + "': give WxH, at least " + 2 * MAX_FACE + "x"
                + (MAX_FACE + 2) + " (faces up to " + MAX_FACE + " px), e.g. 640x480");
    }

    private static String range(double[] values, int decimals) {
        double min = Arrays.stream(values).min().orElse(Double.NaN);
        double max = Arrays.stream(values).max().orElse(Double.NaN);
        return String.format(Locale.ROOT, "%." + decimals + "f-%." + decimals + "f", min, max);
    }

    /** Rounded; null (JSON null, "-" in the table) where undefined, e.g. precision without detections. */
    private static Double round(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return null;
        }
        double f = Math.pow(10, decimals);
        return Math.round(v * f) / f;
    }
}
