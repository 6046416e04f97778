package io.facestream.ops.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.json.Json;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.blazeface.BlazeFaceDetector;
import io.facestream.embed.detect.gating.GatedDetector;
import io.facestream.embed.detect.gating.GatingSettings;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.Device;
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
 *
 * <p>Peer ({@code --peers opencv}): each BlazeFace row without gating is followed by the same detector in OpenCV's DNN
 * module ({@link OpenCvDetectPeer}: same ONNX file, same pre- and post-processing, same decoded frames, same warm-up,
 * same thread count), interleaved with the other rows and scored against the same ground truth; it runs detection
 * only, so its decode, align and embed times are those of its ONNX Runtime row in the same round, and it has no
 * rank-1.
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
            description = "Row configurations after the reference (mtcnn): presets mtcnn-min40, blazeface, "
                    + "blazeface-full, blazeface-full-tiled, mtcnn-heap, mtcnn-chained, the gated mtcnn-* presets, or "
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

    @Option(
            names = "--peers",
            split = ",",
            paramLabel = "ENGINE,...",
            description = "Peer engines measured beside ONNX Runtime on every BlazeFace row without gating: opencv "
                    + "(OpenCV DNN via python3-opencv: the same ONNX file, pre- and post-processing, frames, warm-up "
                    + "and thread count, detection only), or none (default: opencv; CPU only; when python3 cannot "
                    + "import cv2 the default skips the peer with a note, an explicit --peers opencv fails)")
    List<String> peers;

    @Option(
            names = "--python",
            paramLabel = "EXE",
            description =
                    "Python with OpenCV for the opencv peer (default: python3 if it imports cv2, else /usr/bin/python3)")
    String python;

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

    /** One measurement of a round: configuration {@code config} on ONNX Runtime, or on the peer. */
    private record Entry(int config, boolean peer) {}

    /** The row label of a configuration's peer row. */
    static String peerName(String config) {
        return config + " (OpenCV DNN peer)";
    }

    /** The peer and what it runs for each configuration (null where it runs nothing), or none at all. */
    private record Peer(OpenCvDetectPeer engine, List<OpenCvDetectPeer.Spec> specs) {
        boolean runs(int config) {
            return engine != null && specs.get(config) != null;
        }
    }

    @Override
    public Integer call() {
        if (rounds < 1 || subjects < 2 || videos < 1 || framesPerVideo < 2 || warmupFrames < 2) {
            throw new IllegalArgumentException("--rounds must be >= 1, --subjects >= 2, --videos >= 1, "
                    + "--frames-per-video and --warmup-frames >= 2");
        }
        List<String> engines = peers == null ? List.of("opencv") : peers;
        for (String p : engines) {
            if (!p.equals("opencv") && !p.equals("none")) {
                throw new IllegalArgumentException("unknown peer '" + p + "': use opencv or none");
            }
        }
        boolean openCvWanted = engines.contains("opencv");
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
                "engine",
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
                "rounds",
                "x_onnxruntime_detect",
                "x_onnxruntime_detect_min_max");
        List<GatedDetector> detectorsOpen = new ArrayList<>();
        previousCvThreads = -1;
        FaceSettings faceSettings = FaceSettings.from(CameraConfig.REFERENCE.apply(base));
        EmbedBenchCommand.requireDevice(faceSettings.device());
        boolean cpu = faceSettings.device().type() == Device.Type.CPU;
        ModelStore store = ModelZoo.store(base);
        String peerNote = null;
        OpenCvDetectPeer openCv = null;
        try (FaceEmbedder embedder = new ModelRouter(new OnnxSessions(faceSettings.device(), 1), faceSettings)
                .embedder(ModelZoo.resolve(store, faceSettings.embedder()))) {
            List<CameraPass> passes = new ArrayList<>();
            List<OpenCvDetectPeer.Spec> specs = new ArrayList<>();
            List<String> gatedBlazeFace = new ArrayList<>();
            for (CameraConfig c : configs) {
                FaceSettings s = FaceSettings.from(c.apply(base));
                GatingSettings gating = GatingSettings.from(c.apply(base));
                ModelStore.InstalledModel model = ModelZoo.ensure(store, ModelZoo.nameOf(s.detector()));
                GatedDetector d = GatedDetector.of(
                        new ModelRouter(new OnnxSessions(s.device(), s.intraOpThreads()), s).detector(model), gating);
                detectorsOpen.add(d);
                passes.add(new CameraPass(d, embedder, GRADED_SIDE));
                // the peer ports BlazeFace's pre- and post-processing, not MTCNN's cascade nor the gating's state
                boolean blazeFace = d.detector() instanceof BlazeFaceDetector;
                specs.add(
                        blazeFace && gating.mode() == GatingSettings.Mode.OFF
                                ? OpenCvDetectPeer.Spec.of(model, (BlazeFaceDetector) d.detector(), s)
                                : null);
                if (blazeFace && gating.mode() != GatingSettings.Mode.OFF) {
                    gatedBlazeFace.add(c.name());
                }
            }
            boolean anyPeerRow = specs.stream().anyMatch(java.util.Objects::nonNull);
            if (openCvWanted && !gatedBlazeFace.isEmpty()) {
                t.note(
                        "opencv peer, gated rows",
                        "no peer row for " + gatedBlazeFace + ": the peer does not port the gating");
            }
            if (!openCvWanted) {
                // --peers none: nothing to say
            } else if (!cpu) {
                peerNote = "not measured: the OpenCV DNN peer runs on the CPU only, this run is on "
                        + faceSettings.device();
            } else if (!anyPeerRow) {
                peerNote = "not measured: the peer runs BlazeFace rows without gating, and there is none among "
                        + configs.stream().map(CameraConfig::name).toList();
            } else {
                try {
                    openCv = OpenCvDetectPeer.start(python != null ? python : PythonPeer.python());
                    peerNote = "OpenCV " + openCv.version() + " DNN (Python), DNN_BACKEND_OPENCV on the CPU, "
                            + "cv2.setNumThreads = the row's face.intra-op-threads ("
                            + specs.stream()
                                    .filter(java.util.Objects::nonNull)
                                    .map(OpenCvDetectPeer.Spec::threads)
                                    .distinct()
                                    .toList()
                            + ")";
                } catch (CommandFailed e) {
                    if (peers != null) {
                        throw e;
                    }
                    // the default asked for a peer nobody installed: the benchmark still measures our rows
                    peerNote = "not measured: " + e.getMessage();
                    System.err.println("bench cameras: OpenCV DNN peer " + peerNote);
                }
            }
            Peer peer = new Peer(openCv, specs);
            for (int[] wh : sizes) {
                measure(t, paths, wh, configs, passes, embedder, peer);
            }
        } finally {
            detectorsOpen.forEach(GatedDetector::close);
            if (openCv != null) {
                openCv.close();
            }
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
                .note(
                        "rounds",
                        rounds + " interleaved rounds: the configurations in order (a peer right after its row), "
                                + "reversed every other round")
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
                .note(
                        "engine",
                        "onnxruntime: our detector (ONNX Runtime, in this JVM); opencv-dnn: the OpenCV DNN peer of the "
                                + "row above it (--peers)");
        if (openCvWanted) {
            t.note("opencv peer", peerNote);
        }
        if (openCv != null) {
            t.note(
                            "peer rows",
                            "the same BlazeFace ONNX file run by OpenCV's DNN module in a Python process "
                                    + "(opencv_detect.py): the same decoded frames (handed over as raw BGR), letterbox, tiles, "
                                    + "resize, normalisation, anchor decoding, score threshold and weighted NMS as the "
                                    + "ONNX Runtime row; the same warm-up clip before every measurement; interleaved with "
                                    + "the other rows. detect_ms = CPU time of the peer's thread per frame, timed inside "
                                    + "Python around the detection of a frame already in memory. The peer runs detection "
                                    + "only: its decode_ms, align_ms and embed_ms are COPIED from its ONNX Runtime row of "
                                    + "the same round (not measured for the peer), ms_per_frame and cameras_per_core are "
                                    + "what a frame costs with the peer's detection in place of ours; rank1, probes_mated "
                                    + "and probes_without_face: n/a (the peer's faces are not embedded)")
                    .note(
                            "x_onnxruntime_detect",
                            "peer rows: the peer's detect_ms / its ONNX Runtime row's detect_ms, per round (median, "
                                    + "min-max); empty on ONNX Runtime rows");
        }
        t.note("load average at start", loadStart)
                .note("load average at end", loadEnd)
                .note("cpu cores", Runtime.getRuntime().availableProcessors())
                .note("commit", commit);
        t.print(System.out);
        if (json != null) {
            try {
                if (json.getParent() != null) {
                    Files.createDirectories(json.getParent());
                }
                // every row has every column, an undefined cell (a peer's rank1, precision without detections) as
                // null, so that readers of the rows find the same keys in each
                Json.mapper()
                        .copy()
                        .setSerializationInclusion(JsonInclude.Include.ALWAYS)
                        .writerWithDefaultPrettyPrinter()
                        .writeValue(json.toFile(), t.toJson());
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
            FaceEmbedder embedder,
            Peer peer) {
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

        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < configs.size(); i++) {
            entries.add(new Entry(i, false));
            if (peer.runs(i)) {
                entries.add(new Entry(i, true));
            }
        }
        boolean withPeer = entries.stream().anyMatch(Entry::peer);
        // the peer is handed the frames our passes decode, decoded once per resolution the same way
        try (PeerFrames peerSet = withPeer ? PeerFrames.write(set, truth) : null;
                PeerFrames peerWarm = withPeer ? PeerFrames.write(warm, warmTruth) : null) {
            List<List<Sample>> samples = new ArrayList<>();
            List<List<OpenCvDetectPeer.Result>> peerSamples = new ArrayList<>();
            configs.forEach(c -> {
                samples.add(new ArrayList<>());
                peerSamples.add(new ArrayList<>());
            });
            List<GatedDetector.Counters> gateBefore =
                    passes.stream().map(p -> p.detector().counters()).toList();
            for (int r = 0; r < rounds; r++) {
                for (Entry e : Rounds.order(entries, r)) {
                    int i = e.config();
                    if (e.peer()) {
                        OpenCvDetectPeer.Spec spec = peer.specs().get(i);
                        peer.engine().detect(spec, peerWarm);
                        OpenCvDetectPeer.Result res = peer.engine().detect(spec, peerSet);
                        peerSamples.get(i).add(res);
                        PassScore score = PassScore.of(res.boxes(), peerSet.truth());
                        System.err.printf(
                                Locale.ROOT,
                                "bench cameras: %s %s round %d/%d: detect %.1f ms/frame, recall %.3f%n",
                                resolution,
                                peerName(configs.get(i).name()),
                                r + 1,
                                rounds,
                                res.cpuNanos() / 1e6 / peerSet.count(),
                                score.recall());
                        continue;
                    }
                    passes.get(i).run(warm, warmTruth);
                    CameraPass.Result pass = passes.get(i).run(set, truth);
                    ProtocolOutcome outcome = rank1(
                            protocol,
                            stills,
                            pass.faces(),
                            embedder.manifest().embedding().size());
                    Sample s = new Sample(
                            pass,
                            outcome.result().rank(1),
                            outcome.result().matedProbes(),
                            outcome.emptyProbeTemplates());
                    samples.get(i).add(s);
                    System.err.printf(
                            Locale.ROOT,
                            "bench cameras: %s %s round %d/%d: %.1f ms/frame, recall %.3f, rank-1 %.3f%n",
                            resolution,
                            configs.get(i).name(),
                            r + 1,
                            rounds,
                            pass.msPerFrame(),
                            pass.score().recall(),
                            s.rank1());
                }
            }
            double[] reference = samples.get(0).stream()
                    .mapToDouble(s -> s.pass().msPerFrame())
                    .toArray();
            for (int i = 0; i < configs.size(); i++) {
                List<Sample> ss = samples.get(i);
                double[] ms =
                        ss.stream().mapToDouble(s -> s.pass().msPerFrame()).toArray();
                double[] ratio = new double[ms.length];
                for (int r = 0; r < ms.length; r++) {
                    ratio[r] = ms[r] / reference[r];
                }
                Sample first = ss.get(0);
                boolean stable = ss.stream()
                        .allMatch(s ->
                                s.pass().score().found() == first.pass().score().found()
                                        && s.pass().score().detections()
                                                == first.pass().score().detections()
                                        && s.rank1() == first.rank1());
                if (!stable) {
                    // detection is deterministic; a difference between rounds means a nondeterministic model or
                    // decoder
                    t.note(
                            "unstable " + resolution + " " + configs.get(i).name(),
                            "detections or rank-1 differ between rounds: "
                                    + ss.stream()
                                            .map(s -> s.pass().score().found() + "/"
                                                    + s.pass().score().detections() + "/" + round(s.rank1(), 4))
                                            .toList());
                }
                GatedDetector gate = passes.get(i).detector();
                if (gate.settings().mode() != GatingSettings.Mode.OFF) {
                    GatedDetector.Counters before = gateBefore.get(i);
                    GatedDetector.Counters after = gate.counters();
                    long seen = after.frames() - before.frames();
                    double share = seen == 0
                            ? 0
                            : (after.searchedShare() * after.frames() - before.searchedShare() * before.frames())
                                    / seen;
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
                        "onnxruntime",
                        round(Rounds.median(stage(ss, CameraPass.Stages::decode, frames)), 2),
                        round(Rounds.median(stage(ss, CameraPass.Stages::detect, frames)), 2),
                        round(Rounds.median(stage(ss, CameraPass.Stages::align, frames)), 2),
                        round(Rounds.median(stage(ss, CameraPass.Stages::embed, frames)), 2),
                        round(msMedian, 2),
                        range(ms, 1),
                        round(Rounds.median(ratio), 3),
                        range(ratio, 3),
                        round(1000 / (FPS * msMedian), 2),
                        round(first.pass().score().recall(), 4),
                        round(first.pass().score().precision(), 4),
                        round(first.rank1(), 4),
                        frames,
                        first.pass().score().graded(),
                        first.pass().score().detections(),
                        first.matedProbes(),
                        first.emptyProbes(),
                        ss.size(),
                        null,
                        null);
                if (!peerSamples.get(i).isEmpty()) {
                    peerRow(t, resolution, configs.get(i).name(), ss, peerSamples.get(i), reference, peerSet);
                }
            }
        }
    }

    /**
     * The peer's row of one configuration: its detection per round put in place of ours in the same round's frame
     * (decode, align and embed are ours, as the table notes say), scored against the same ground truth.
     */
    private void peerRow(
            Table t,
            String resolution,
            String config,
            List<Sample> ours,
            List<OpenCvDetectPeer.Result> theirs,
            double[] reference,
            PeerFrames frames) {
        String name = peerName(config);
        long n = frames.count();
        if (ours.get(0).pass().frames() != n) {
            throw new IllegalStateException("the peer was given " + n + " frames, the ONNX Runtime pass decoded "
                    + ours.get(0).pass().frames() + ": PeerFrames and CameraPass must decode alike");
        }
        int rs = theirs.size();
        double[] detect = new double[rs];
        double[] wall = new double[rs];
        double[] forward = new double[rs];
        double[] ms = new double[rs];
        double[] xReference = new double[rs];
        double[] xDetect = new double[rs];
        double[] decode = new double[rs];
        double[] align = new double[rs];
        double[] embed = new double[rs];
        for (int r = 0; r < rs; r++) {
            CameraPass.Stages s = ours.get(r).pass().cpu();
            detect[r] = theirs.get(r).cpuNanos() / 1e6 / n;
            wall[r] = theirs.get(r).wallNanos() / 1e6 / n;
            forward[r] = theirs.get(r).forwardNanos() / 1e6 / n;
            decode[r] = s.decode() / 1e6 / n;
            align[r] = s.align() / 1e6 / n;
            embed[r] = s.embed() / 1e6 / n;
            ms[r] = decode[r] + detect[r] + align[r] + embed[r];
            xReference[r] = ms[r] / reference[r];
            xDetect[r] = detect[r] / (s.detect() / 1e6 / n);
        }
        PassScore score = PassScore.of(theirs.get(0).boxes(), frames.truth());
        boolean stable = theirs.stream()
                .allMatch(res -> PassScore.of(res.boxes(), frames.truth()).equals(score));
        if (!stable) {
            t.note(
                    "unstable " + resolution + " " + name,
                    "the peer's detections differ between rounds: "
                            + theirs.stream()
                                    .map(res -> PassScore.of(res.boxes(), frames.truth()))
                                    .map(p -> p.found() + "/" + p.detections())
                                    .toList());
        }
        Agreement a = Agreement.of(ours.get(0).pass().boxes(), theirs.get(0).boxes());
        t.note(
                "peer agreement " + resolution + " " + config,
                a.matched() + " of " + a.ours() + " ONNX Runtime detections and of the peer's " + a.theirs()
                        + " matched one-to-one at IoU >= " + DetectionMatch.IOU + " (mean IoU "
                        + round(a.meanIou(), 4) + "); first round of each");
        t.note(
                "peer time " + resolution + " " + config,
                "the peer's detect ms per frame, median of the rounds: CPU " + round(Rounds.median(detect), 2)
                        + ", of which net.forward " + round(Rounds.median(forward), 2) + " (the rest: numpy letterbox, "
                        + "normalisation, decoding and NMS); wall clock " + round(Rounds.median(wall), 2)
                        + " (about the CPU time when all the peer's work ran on its timed thread)");
        double msMedian = Rounds.median(ms);
        t.row(
                resolution,
                name,
                "opencv-dnn",
                round(Rounds.median(decode), 2),
                round(Rounds.median(detect), 2),
                round(Rounds.median(align), 2),
                round(Rounds.median(embed), 2),
                round(msMedian, 2),
                range(ms, 1),
                round(Rounds.median(xReference), 3),
                range(xReference, 3),
                round(1000 / (FPS * msMedian), 2),
                round(score.recall(), 4),
                round(score.precision(), 4),
                null,
                n,
                score.graded(),
                score.detections(),
                null,
                null,
                rs,
                round(Rounds.median(xDetect), 3),
                range(xDetect, 3));
    }

    /**
     * Two engines' detections of the same frames matched one-to-one at IoU ≥ {@link DetectionMatch#IOU}, frame by
     * frame ({@link DetectionMatch}, every box graded).
     *
     * @param ours    our detections
     * @param theirs  the peer's detections
     * @param matched pairs matched (one-to-one, so as many of ours as of theirs)
     * @param meanIou mean IoU of the matched pairs
     */
    record Agreement(long ours, long theirs, long matched, double meanIou) {
        static Agreement of(List<List<Box>> ours, List<List<Box>> theirs) {
            if (ours.size() != theirs.size()) {
                throw new IllegalArgumentException(ours.size() + " frames against " + theirs.size());
            }
            long nOurs = 0, nTheirs = 0, matched = 0;
            double iou = 0;
            for (int f = 0; f < ours.size(); f++) {
                List<Box> o = ours.get(f);
                List<Box> th = theirs.get(f);
                DetectionMatch m = DetectionMatch.of(th, o, 0);
                nOurs += o.size();
                nTheirs += th.size();
                for (int d = 0; d < th.size(); d++) {
                    int k = m.truthFor()[d];
                    if (k >= 0) {
                        matched++;
                        iou += DetectionMatch.iou(th.get(d), o.get(k));
                    }
                }
            }
            return new Agreement(nOurs, nTheirs, matched, matched == 0 ? Double.NaN : iou / matched);
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
    static Path footage(FacestreamPaths paths, String name, int[] wh, int subjects, int videos, int frames, long seed) {
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
