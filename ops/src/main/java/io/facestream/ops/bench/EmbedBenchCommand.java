package io.facestream.ops.bench;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.embedding.Embedding;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.onnx.PixelLayout;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench embed}: MobileFaceNet throughput by batch and thread count, next to a peer engine (OpenCV's
 * DNN module on the same ONNX file and the same packed input) and the machine's compute peak (a large MatMul), all in
 * the same run; then MTCNN and BlazeFace latency per frame.
 *
 * <p>Rigour: every measured cell (MatMul per thread count; engine × batch × threads) runs once per round, in the same
 * order each round and reversed every other round, so ONNX Runtime and OpenCV rows, and 1- and 2-thread rows,
 * alternate; every cell gets the same warm-up and the median of the same number of timed runs (the MatMul too); rows
 * show the median over rounds with the min–max; ratios (to the peak, to ONNX Runtime) are taken within each round.
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description = "Face model speed: MobileFaceNet faces/s (batch 1/8/32, 1 and 2 threads) in ONNX Runtime and "
                + "OpenCV DNN, % of MatMul peak, interleaved rounds; detector ms per frame.")
public final class EmbedBenchCommand implements Callable<Integer> {
    /** MobileFaceNet multiply-adds per face, counted from the graph (docs/models.md). */
    static final double MOBILEFACENET_MACS = 234e6;

    static final int[] BATCHES = {1, 8, 32};
    static final int[] THREADS = {1, 2};
    static final int[][] FRAMES = {{640, 480}, {1920, 1080}};

    @Mixin
    ConfigOptions options;

    @Option(
            names = "--image",
            paramLabel = "FILE",
            description =
                    "photograph with faces used for crops and frames "
                            + "(default: the crowd of the sample photos, 21 faces; fetched with npm on first use, see docs/models.md)")
    Path image;

    @Option(
            names = "--device",
            paramLabel = "DEVICE",
            description = "cpu, cuda or cuda:N (sets face.device; default: the configured face.device, cpu)")
    String device;

    @Option(names = "--rounds", paramLabel = "N", description = "Interleaved measurement rounds (default: 3)")
    int rounds = 3;

    @Option(names = "--runs", paramLabel = "N", description = "Timed runs per cell and round; median kept (default: 5)")
    int runs = 5;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Untimed runs before every measurement, the same for every engine (default: 2)")
    int warmup = 2;

    @Option(
            names = "--peers",
            split = ",",
            paramLabel = "ENGINE,...",
            description = "Peer engines measured beside ONNX Runtime: opencv (OpenCV DNN via python3-opencv), or none "
                    + "(default: opencv; CPU only)")
    List<String> peers = List.of("opencv");

    @Option(
            names = "--python",
            paramLabel = "EXE",
            description =
                    "Python with OpenCV for the opencv peer (default: python3 if it imports cv2, else /usr/bin/python3)")
    String python;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON")
    Path json;

    /** An engine that runs the embedder. */
    enum Engine {
        ONNXRUNTIME("onnxruntime"),
        OPENCV("opencv-dnn");

        final String label;

        Engine(String label) {
            this.label = label;
        }
    }

    /** One measured cell: the MatMul peak ({@code engine == null}) or the embedder on one engine. */
    record Cell(Engine engine, int batch, int threads) {
        static Cell matmul(int threads) {
            return new Cell(null, 0, threads);
        }

        boolean isMatmul() {
            return engine == null;
        }

        @Override
        public String toString() {
            return isMatmul()
                    ? "MatMul " + MatMulPeak.N + "³, " + threads + " thread(s)"
                    : engine.label + " batch " + batch + ", " + threads + " thread(s)";
        }
    }

    /** Median seconds per call, by wall clock and by the calling thread's CPU time. */
    record Timing(double wall, double cpu) {}

    private int step;
    private int steps;
    private long started;

    /** The measured cells of one round, before reversal: the peaks, then per batch the thread counts and engines. */
    static List<Cell> cells(boolean withOpenCv) {
        List<Cell> cells = new ArrayList<>();
        for (int t : THREADS) {
            cells.add(Cell.matmul(t));
        }
        for (int b : BATCHES) {
            for (int t : THREADS) {
                cells.add(new Cell(Engine.ONNXRUNTIME, b, t));
                if (withOpenCv) {
                    cells.add(new Cell(Engine.OPENCV, b, t));
                }
            }
        }
        return cells;
    }

    /** The configuration, with {@code --device} as {@code face.device}. */
    FacestreamConfig config() {
        return options.load("face.device", device);
    }

    /**
     * Refuses a GPU benchmark that would silently run on the CPU (ONNX Runtime falls back when its build has no CUDA
     * provider), so a table labelled cuda is always a GPU measurement.
     */
    static void requireDevice(Device requested) {
        Device effective = new OnnxSessions(requested, 1).effective();
        if (!effective.equals(requested)) {
            throw new CommandFailed("device " + requested + " requested but ONNX Runtime would run on " + effective
                    + " (providers: " + OnnxSessions.environment().getAvailableProviders() + "): build with "
                    + "embed-service's CUDA profile (mvn -Pcuda ..., see ops/scripts/gpu-bench.sh) on a machine with "
                    + "CUDA 12 and cuDNN 9");
        }
    }

    @Override
    public Integer call() throws IOException {
        if (rounds < 1 || runs < 1 || warmup < 0) {
            throw new IllegalArgumentException("--rounds and --runs must be >= 1, --warmup >= 0");
        }
        for (String p : peers) {
            if (!p.equals("opencv") && !p.equals("none")) {
                throw new IllegalArgumentException("unknown peer '" + p + "': use opencv or none");
            }
        }
        FacestreamConfig config = config();
        FaceSettings settings = FaceSettings.from(config).withThreads(1);
        Device dev = settings.device();
        requireDevice(dev);
        boolean cpu = dev.type() == Device.Type.CPU;
        boolean openCvWanted = peers.contains("opencv");
        boolean withOpenCv = openCvWanted && cpu;
        ModelStore store = ModelZoo.store(config);
        ModelStore.InstalledModel model = ModelZoo.ensure(store, "mobilefacenet");
        Path photo = photo();
        String loadStart = BenchMachine.loadAverage();
        started = System.nanoTime();
        List<Cell> cells = cells(withOpenCv);
        steps = rounds * cells.size() + 2 * FRAMES.length;

        Map<Cell, Timing[]> timings = new LinkedHashMap<>();
        cells.forEach(c -> timings.put(c, new Timing[rounds]));
        double minCosine = Double.NaN;
        String openCvVersion = null;
        Table detect = new Table(
                "bench embed: detectors, ms per frame (1 intra-op thread, real photo resized, " + dev + ")",
                "detector",
                "frame",
                "ms_per_frame",
                "ms_min_max",
                "faces",
                "n");
        try (Mat source = new ImageDecoder().read(photo)) {
            List<Mat> crops = crops(store, settings, source);
            Map<Integer, FaceEmbedder> embedders = new HashMap<>();
            Map<Integer, MatMulPeak> matmuls = new HashMap<>();
            Path input = null;
            OpenCvEmbedPeer peer = null;
            try {
                for (int t : THREADS) {
                    embedders.put(t, new FaceEmbedder(model, new OnnxSessions(dev, t), BATCHES[BATCHES.length - 1]));
                    matmuls.put(t, new MatMulPeak(t));
                }
                Embedding reference = embedders.get(1).embed(crops.get(0));
                if (withOpenCv) {
                    int max = BATCHES[BATCHES.length - 1];
                    PixelLayout layout = PixelLayout.of(model.manifest());
                    int w = model.manifest().input().width();
                    int h = model.manifest().input().height();
                    float[] packed = new float[max * 3 * w * h];
                    for (int i = 0; i < max; i++) {
                        layout.pack(crops.get(i % crops.size()), packed, i);
                    }
                    input = Files.createTempFile("facestream-embed-peer", ".f32");
                    OpenCvEmbedPeer.writeInput(input, packed);
                    peer = OpenCvEmbedPeer.start(
                            python != null ? python : PythonPeer.python(),
                            model.path("main"),
                            input,
                            layout.shape(max, h, w));
                    openCvVersion = peer.version();
                }
                for (int r = 0; r < rounds; r++) {
                    for (Cell c : Rounds.order(cells, r)) {
                        Timing t;
                        if (c.isMatmul()) {
                            t = matmuls.get(c.threads()).measure(warmup, runs);
                        } else if (c.engine() == Engine.ONNXRUNTIME) {
                            List<Mat> batch = batch(crops, c.batch());
                            FaceEmbedder e = embedders.get(c.threads());
                            t = time(warmup, runs, () -> e.embed(batch));
                        } else {
                            OpenCvEmbedPeer.Result res = peer.measure(c.batch(), c.threads(), warmup, runs);
                            t = new Timing(Rounds.Summary.of(res.seconds()).median(), Double.NaN);
                            double cos = reference.cosine(Embedding.of(res.embedding0()));
                            minCosine = Double.isNaN(minCosine) ? cos : Math.min(minCosine, cos);
                        }
                        timings.get(c)[r] = t;
                        progress(String.format(
                                Locale.ROOT, "round %d/%d, %s: %.1f ms per call", r + 1, rounds, c, t.wall() * 1e3));
                    }
                }
            } finally {
                if (peer != null) {
                    peer.close();
                }
                if (input != null) {
                    try {
                        Files.deleteIfExists(input);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
                embedders.values().forEach(FaceEmbedder::close);
                matmuls.values().forEach(MatMulPeak::close);
                crops.forEach(Mat::close);
            }
            ModelRouter router = new ModelRouter(new OnnxSessions(dev, 1), settings);
            for (String name : List.of("mtcnn", "blazeface-back")) {
                try (FaceDetector d = router.detector(ModelZoo.ensure(store, name))) {
                    for (int[] wh : FRAMES) {
                        try (Mat frame = new Mat();
                                Size size = new Size(wh[0], wh[1])) {
                            resize(source, frame, size, 0, 0, wh[0] < source.cols() ? INTER_AREA : INTER_LINEAR);
                            int faces = d.detect(frame).size();
                            List<Double> ms = new ArrayList<>();
                            for (int r = 0; r < rounds; r++) {
                                ms.add(time(warmup, runs, () -> d.detect(frame)).wall() * 1e3);
                            }
                            Rounds.Summary s = Rounds.Summary.of(ms);
                            detect.row(d.id(), wh[0] + "x" + wh[1], round(s.median(), 1), s.range(1), faces, n());
                            progress(String.format(
                                    Locale.ROOT, "%s %dx%d: %.1f ms/frame", d.id(), wh[0], wh[1], s.median()));
                        }
                    }
                }
            }
        }
        Table embed = embedTable(timings, cpu);
        Table peak = peakTable(timings);
        embed.note(
                        "model",
                        model.manifest().name() + " " + model.manifest().version() + " (" + model.path("main") + ")")
                .note(
                        "rounds",
                        rounds + " interleaved (cell order reversed every other round); per cell and round "
                                + warmup + " warm-up then the median of " + runs
                                + " timed calls; rows: median over rounds, min-max")
                .note("device", dev.toString())
                .note("macs_per_face", MOBILEFACENET_MACS)
                .note("goal", "batch 32 >= 40% of peak")
                .note(
                        "x_onnxruntime",
                        "faces/s of the row / faces/s of ONNX Runtime at the same batch and threads, per round")
                .note(
                        "timing",
                        "ONNX Runtime: FaceEmbedder.embed on aligned 8-bit crops (includes packing to float, <1% of "
                                + "a call); OpenCV: net.setInput + net.forward on the same packed tensor, timed "
                                + "inside the Python process")
                .note("cpus", Runtime.getRuntime().availableProcessors())
                .note("load_average_start", loadStart)
                .note("load_average_end", BenchMachine.loadAverage())
                .note("commit", BenchMachine.commit());
        if (withOpenCv) {
            embed.note("opencv", "OpenCV " + openCvVersion + " DNN (Python), DNN_BACKEND_OPENCV on the CPU")
                    .note("opencv_vs_onnxruntime_cosine_min", round(minCosine, 6));
        } else if (openCvWanted) {
            embed.note("opencv", "not measured: the OpenCV peer runs on the CPU only, this run is on " + dev);
        }
        if (!cpu) {
            embed.note(
                    "pct_of_peak", "not shown: the MatMul peak is measured on the CPU and the embedder ran on " + dev);
        }
        detect.note("image", photo.getFileName().toString())
                .note("mtcnn", "AdaFace settings: min face 20, factor 0.85, thresholds 0.6/0.7/0.9")
                .note("blazeface", "256 px back model, letterboxed")
                .note("rounds", rounds + " (not interleaved), each " + warmup + " warm-up + median of " + runs);
        embed.print(System.out);
        System.out.println();
        peak.print(System.out);
        System.out.println();
        detect.print(System.out);
        Table.writeJson(json, List.of(embed, peak, detect));
        return 0;
    }

    private String n() {
        return rounds + "x" + runs;
    }

    private Table embedTable(Map<Cell, Timing[]> timings, boolean cpu) {
        Table t = new Table(
                "bench embed: MobileFaceNet (" + ModelZoo.model("mobilefacenet").version()
                        + ") on aligned real faces, engines side by side",
                "batch",
                "threads",
                "engine",
                "faces_per_s",
                "faces_per_s_min_max",
                "ms_per_batch",
                "gmac_per_s",
                "pct_of_peak",
                "pct_of_peak_min_max",
                "pct_of_peak_cpu_time",
                "x_onnxruntime",
                "x_onnxruntime_min_max",
                "n");
        for (Map.Entry<Cell, Timing[]> e : timings.entrySet()) {
            Cell c = e.getKey();
            if (c.isMatmul()) {
                continue;
            }
            Timing[] mine = e.getValue();
            Timing[] ort = timings.get(new Cell(Engine.ONNXRUNTIME, c.batch(), c.threads()));
            Timing[] peak = timings.get(Cell.matmul(c.threads()));
            List<Double> rate = new ArrayList<>();
            List<Double> ms = new ArrayList<>();
            List<Double> pct = new ArrayList<>();
            List<Double> pctCpu = new ArrayList<>();
            List<Double> ratio = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                double facesPerS = c.batch() / mine[r].wall();
                rate.add(facesPerS);
                ms.add(mine[r].wall() * 1e3);
                pct.add(100 * facesPerS * MOBILEFACENET_MACS / (MatMulPeak.MACS / peak[r].wall()));
                if (c.threads() == 1 && c.engine() == Engine.ONNXRUNTIME) {
                    // CPU-time ratio only where ORT computes on the calling thread (1 intra-op thread)
                    pctCpu.add(
                            100 * (c.batch() * MOBILEFACENET_MACS / mine[r].cpu()) / (MatMulPeak.MACS / peak[r].cpu()));
                }
                ratio.add(ort[r].wall() / mine[r].wall());
            }
            Rounds.Summary fps = Rounds.Summary.of(rate);
            Rounds.Summary p = Rounds.Summary.of(pct);
            Rounds.Summary x = Rounds.Summary.of(ratio);
            t.row(
                    c.batch(),
                    c.threads(),
                    c.engine().label,
                    round(fps.median(), 1),
                    fps.range(1),
                    round(Rounds.Summary.of(ms).median(), 2),
                    round(fps.median() * MOBILEFACENET_MACS / 1e9, 2),
                    cpu ? round(p.median(), 1) : null,
                    cpu ? p.range(1) : null,
                    cpu && !pctCpu.isEmpty() ? round(Rounds.Summary.of(pctCpu).median(), 1) : null,
                    round(x.median(), 3),
                    x.range(3),
                    n());
        }
        return t;
    }

    private Table peakTable(Map<Cell, Timing[]> timings) {
        Table t = new Table(
                "bench embed: MatMul peak, float32 " + MatMulPeak.N + "x" + MatMulPeak.N + "x" + MatMulPeak.N
                        + " in ONNX Runtime on the CPU (same warm-up and median of runs as the embedder)",
                "threads",
                "gmac_per_s",
                "gmac_per_s_min_max",
                "gmac_per_cpu_s",
                "n");
        for (int threads : THREADS) {
            Timing[] m = timings.get(Cell.matmul(threads));
            List<Double> wall = new ArrayList<>();
            List<Double> cpuRate = new ArrayList<>();
            for (Timing x : m) {
                wall.add(MatMulPeak.MACS / x.wall() / 1e9);
                cpuRate.add(MatMulPeak.MACS / x.cpu() / 1e9);
            }
            Rounds.Summary s = Rounds.Summary.of(wall);
            t.row(
                    threads,
                    round(s.median(), 2),
                    s.range(2),
                    threads == 1 ? round(Rounds.Summary.of(cpuRate).median(), 2) : null,
                    n());
        }
        return t;
    }

    private static List<Mat> batch(List<Mat> crops, int size) {
        List<Mat> input = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            input.add(crops.get(i % crops.size()));
        }
        return input;
    }

    private Path photo() {
        if (image != null) {
            return image;
        }
        return SamplePhotos.fetch().crowd();
    }

    /** Aligned 112×112 crops of the faces in the photo, so the embedder sees real input. */
    private static List<Mat> crops(ModelStore store, FaceSettings settings, Mat source) {
        ModelRouter router = new ModelRouter(new OnnxSessions(Device.CPU, 1), settings);
        FaceAligner aligner = new FaceAligner();
        List<Mat> crops = new ArrayList<>();
        try (FaceDetector d = router.detector(ModelZoo.ensure(store, "mtcnn"))) {
            for (DetectedFace f : d.detect(source)) {
                crops.add(aligner.align(source, f));
            }
        }
        if (crops.isEmpty()) {
            throw new IllegalArgumentException("the benchmark photo has no detectable face: pass --image with faces");
        }
        return crops;
    }

    /** {@code warmup} untimed calls, then the medians of {@code runs} timed calls (wall and calling thread's CPU). */
    static Timing time(int warmup, int runs, Runnable call) {
        for (int i = 0; i < warmup; i++) {
            call.run();
        }
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            call.run();
            wall.add((System.nanoTime() - t0) / 1e9);
            cpu.add((mx.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        return new Timing(
                Rounds.Summary.of(wall).median(), Rounds.Summary.of(cpu).median());
    }

    private void progress(String what) {
        step++;
        double elapsed = (System.nanoTime() - started) / 1e9;
        double eta = elapsed / step * (steps - step);
        System.err.printf(
                Locale.ROOT, "bench embed [%d/%d] %s (%.0f s elapsed, ETA %.0f s)%n", step, steps, what, elapsed, eta);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
