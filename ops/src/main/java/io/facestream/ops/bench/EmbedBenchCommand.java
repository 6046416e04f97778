package io.facestream.ops.bench;

import static org.bytedeco.opencv.global.opencv_imgproc.INTER_AREA;
import static org.bytedeco.opencv.global.opencv_imgproc.INTER_LINEAR;
import static org.bytedeco.opencv.global.opencv_imgproc.resize;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.align.FaceAligner;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.model.zoo.SamplePhotos;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.pipeline.ModelRouter;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench embed}: MobileFaceNet throughput by batch and thread count, MTCNN and BlazeFace latency per
 * frame, and how close the embedder gets to the machine's compute peak (a large MatMul measured in the same run).
 */
@Command(
        name = "embed",
        mixinStandardHelpOptions = true,
        description =
                "Face model speed: MobileFaceNet faces/s (batch 1/8/32, 1 and 2 threads), detector ms per frame, % of MatMul peak.")
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

    @Option(names = "--seconds", paramLabel = "S", description = "time per measurement (default: 3)")
    double seconds = 3;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the tables as JSON")
    Path json;

    private int step;
    private long started;
    private static final int STEPS = 2 + BATCHES.length * THREADS.length + 2 * FRAMES.length;

    @Override
    public Integer call() {
        FacestreamConfig config = options.load();
        FaceSettings settings = FaceSettings.from(config).withThreads(1);
        ModelStore store = ModelZoo.store(config);
        Path photo = photo();
        started = System.nanoTime();

        MatMulPeak.Peak[] peak = new MatMulPeak.Peak[THREADS.length];
        for (int t = 0; t < THREADS.length; t++) {
            peak[t] = MatMulPeak.macsPerSecond(THREADS[t], seconds);
            progress("MatMul " + MatMulPeak.N + "³ peak, " + THREADS[t] + " thread(s): " + gmac(peak[t].wall())
                    + " GMAC/s");
        }

        Table embed = new Table(
                "bench embed: MobileFaceNet (" + ModelZoo.model("mobilefacenet").version() + ") on aligned real faces",
                "batch",
                "threads",
                "faces_per_s",
                "ms_per_batch",
                "gmac_per_s",
                "pct_of_peak",
                "pct_of_peak_cpu_time");
        Table detect = new Table(
                "bench embed: detectors, ms per frame (1 intra-op thread, real photo resized)",
                "detector",
                "frame",
                "ms_per_frame",
                "faces");
        try (Mat source = new ImageDecoder().read(photo)) {
            List<Mat> crops = crops(store, settings, source);
            try {
                for (int threads : THREADS) {
                    try (FaceEmbedder embedder = new FaceEmbedder(
                            ModelZoo.ensure(store, "mobilefacenet"), new OnnxSessions(Device.CPU, threads), 32)) {
                        for (int batch : BATCHES) {
                            List<Mat> input = new ArrayList<>();
                            for (int i = 0; i < batch; i++) {
                                input.add(crops.get(i % crops.size()));
                            }
                            Timing t = timePerCall(() -> embedder.embed(input));
                            double facesPerS = batch / t.wall();
                            double macs = facesPerS * MOBILEFACENET_MACS;
                            MatMulPeak.Peak p = peak[threads == 1 ? 0 : 1];
                            // CPU-time ratio only where ORT computes on the calling thread (1 intra-op thread)
                            Double cpuPct = threads == 1
                                    ? round(100 * (batch * MOBILEFACENET_MACS / t.cpu()) / p.cpu(), 1)
                                    : null;
                            embed.row(
                                    batch,
                                    threads,
                                    round(facesPerS, 1),
                                    round(t.wall() * 1e3, 2),
                                    round(macs / 1e9, 2),
                                    round(100 * macs / p.wall(), 1),
                                    cpuPct);
                            progress(String.format(
                                    Locale.ROOT,
                                    "MobileFaceNet batch %d, %d thread(s): %.1f faces/s",
                                    batch,
                                    threads,
                                    facesPerS));
                        }
                    }
                }
            } finally {
                crops.forEach(Mat::close);
            }
            ModelRouter router = new ModelRouter(new OnnxSessions(Device.CPU, 1), settings);
            for (String name : List.of("mtcnn", "blazeface-back")) {
                try (FaceDetector d = router.detector(ModelZoo.ensure(store, name))) {
                    for (int[] wh : FRAMES) {
                        try (Mat frame = new Mat();
                                Size size = new Size(wh[0], wh[1])) {
                            resize(source, frame, size, 0, 0, wh[0] < source.cols() ? INTER_AREA : INTER_LINEAR);
                            int faces = d.detect(frame).size();
                            double s = timePerCall(() -> d.detect(frame)).wall();
                            detect.row(d.id(), wh[0] + "x" + wh[1], round(s * 1e3, 1), faces);
                            progress(String.format(
                                    Locale.ROOT, "%s %dx%d: %.1f ms/frame", d.id(), wh[0], wh[1], s * 1e3));
                        }
                    }
                }
            }
        }
        embed.note("peak_gmac_per_s_1_thread", round(peak[0].wall() / 1e9, 2))
                .note("peak_gmac_per_s_2_threads", round(peak[1].wall() / 1e9, 2))
                .note("peak_gmac_per_cpu_s_1_thread", round(peak[0].cpu() / 1e9, 2))
                .note(
                        "load_average_at_end",
                        round(
                                java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                        .getSystemLoadAverage(),
                                2))
                .note(
                        "peak_method",
                        "float32 MatMul " + MatMulPeak.N + "x" + MatMulPeak.N + "x" + MatMulPeak.N
                                + " in ONNX Runtime, best run")
                .note("macs_per_face", MOBILEFACENET_MACS)
                .note("goal", "batch 32 >= 40% of peak")
                .note("cpus", Runtime.getRuntime().availableProcessors())
                .note("device", "cpu");
        detect.note("image", photo.getFileName().toString())
                .note("mtcnn", "AdaFace settings: min face 20, factor 0.85, thresholds 0.6/0.7/0.9")
                .note("blazeface", "256 px back model, letterboxed");
        embed.print(System.out);
        System.out.println();
        detect.print(System.out);
        Table.writeJson(json, List.of(embed, detect));
        return 0;
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

    /** Median seconds per call, by wall clock and by the calling thread's CPU time. */
    record Timing(double wall, double cpu) {}

    /** Warm up, then the medians of repeated timed calls within the time budget (at least 3). */
    private Timing timePerCall(Runnable call) {
        for (int i = 0; i < 2; i++) {
            call.run();
        }
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (wall.size() < 3 || System.nanoTime() < end) {
            long c0 = mx.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            call.run();
            wall.add((System.nanoTime() - t0) / 1e9);
            cpu.add((mx.getCurrentThreadCpuTime() - c0) / 1e9);
        }
        wall.sort(null);
        cpu.sort(null);
        return new Timing(wall.get(wall.size() / 2), cpu.get(cpu.size() / 2));
    }

    private void progress(String what) {
        step++;
        double elapsed = (System.nanoTime() - started) / 1e9;
        double eta = elapsed / step * (STEPS - step);
        System.err.printf(
                Locale.ROOT, "bench embed [%d/%d] %s (%.0f s elapsed, ETA %.0f s)%n", step, STEPS, what, elapsed, eta);
    }

    private static String gmac(double macs) {
        return String.format(Locale.ROOT, "%.1f", macs / 1e9);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
