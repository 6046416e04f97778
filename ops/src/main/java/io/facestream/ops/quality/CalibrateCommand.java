package io.facestream.ops.quality;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.pipeline.Face;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.eval.report.ProgressLine;
import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.Replay;
import io.facestream.ingest.source.CameraSource;
import io.facestream.ingest.source.FrameSink;
import io.facestream.ingest.source.Picture;
import io.facestream.ingest.source.SourceException;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream quality calibrate}: embeds the faces of some footage, draws the norm histogram and suggests
 * thresholds for the quality filter (the norm below which a given share of this footage's faces would be rejected).
 */
@Command(
        name = "calibrate",
        mixinStandardHelpOptions = true,
        description =
                "Embed the faces of footage, draw the feature-norm histogram (SVG) and suggest quality thresholds.")
public final class CalibrateCommand implements Callable<Integer> {
    private static final Set<String> VIDEO_EXTENSIONS =
            Set.of("mp4", "avi", "mkv", "mov", "webm", "ts", "m4v", "mpg", "mpeg", "flv");
    private static final double[] REJECT_SHARES = {0.05, 0.10, 0.20};

    @Mixin
    ConfigOptions options;

    @Option(
            names = "--footage",
            required = true,
            paramLabel = "FILE_OR_DIR",
            description = "A video file, a folder of videos, or a folder of images; repeatable")
    List<Path> footage;

    @Option(names = "--model", paramLabel = "NAME", description = "Embedder (default: face.embedder)")
    String model;

    @Option(names = "--detector", paramLabel = "NAME", description = "Detector (default: face.detector)")
    String detector;

    @Option(
            names = "--fps",
            description = "Frames sampled per second of video (default: ${DEFAULT-VALUE})",
            defaultValue = "2")
    double fps;

    @Option(
            names = "--max-frames",
            description = "Stop after this many sampled frames (default: ${DEFAULT-VALUE})",
            defaultValue = "2000")
    int maxFrames;

    @Option(
            names = "--out",
            paramLabel = "FILE.svg",
            description = "Histogram file (default: norm-histogram.svg)",
            defaultValue = "norm-histogram.svg")
    Path out;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Override
    public Integer call() throws IOException {
        FacestreamConfig config = options.load("face.embedder", model, "face.detector", detector);
        FaceSettings settings = FaceSettings.from(config);
        List<Float> norms = new ArrayList<>();
        ModelManifest manifest;
        ProgressLine progress = new ProgressLine(System.err, "calibrate");
        int[] frames = {0};
        try (FacePipeline pipeline = FacePipeline.open(settings, n -> ModelZoo.resolve(ModelZoo.store(config), n))) {
            manifest = pipeline.embedder().manifest();
            CameraOptions opts = CameraOptions.fromConfig(config)
                    .withReplay(Replay.FAST)
                    .withAtEnd(AtEnd.STOP)
                    .with("fps", Double.toString(fps));
            for (CameraSource source : sources()) {
                try {
                    source.stream(opts, new NormCollector(pipeline, norms, frames, maxFrames, progress));
                } catch (SourceException e) {
                    System.err.println("facestream quality calibrate: " + source.location() + ": " + e.getMessage()
                            + " (continuing with the faces read so far)");
                }
                if (frames[0] >= maxFrames) {
                    break;
                }
            }
        }
        if (norms.isEmpty()) {
            System.err.println(
                    "facestream quality calibrate: no faces found in " + frames[0] + " sampled frames of " + footage);
            return 1;
        }
        float[] values = new float[norms.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = norms.get(i);
        }
        NormSample sample = NormSample.of(values);
        Table table = report(manifest, sample, frames[0]);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
        Map<String, Double> markers = new LinkedHashMap<>();
        if (manifest.embedding() != null) {
            markers.put("manifest default", manifest.embedding().qualityThreshold());
        }
        for (double share : REJECT_SHARES) {
            markers.put(String.format(Locale.ROOT, "reject %.0f%%", share * 100), sample.quantile(share));
        }
        if (out.getParent() != null) {
            Files.createDirectories(out.getParent());
        }
        Files.writeString(
                out, HistogramSvg.draw("feature norms of " + manifest.id() + " on " + footage, sample, 40, markers));
        System.out.println("histogram: " + out.toAbsolutePath());
        return 0;
    }

    static Table report(ModelManifest manifest, NormSample sample, int frames) {
        Table t = new Table(
                "quality calibration of " + manifest.id() + ": " + sample.size() + " faces in " + frames + " frames",
                "threshold",
                "norm",
                "faces rejected");
        if (manifest.embedding() != null) {
            double d = manifest.embedding().qualityThreshold();
            t.row("manifest default", d, sample.rejectedBelow(d));
        }
        for (double share : REJECT_SHARES) {
            double q = sample.quantile(share);
            t.row(String.format(Locale.ROOT, "suggested: reject %.0f%%", share * 100), q, sample.rejectedBelow(q));
        }
        t.note("norm mean", sample.mean())
                .note("norm std", sample.std())
                .note(
                        "norm min / median / max",
                        String.format(
                                Locale.ROOT,
                                "%.2f / %.2f / %.2f",
                                sample.quantile(0),
                                sample.quantile(0.5),
                                sample.quantile(1)))
                .note("apply with", "--set embed.service.quality-threshold=<norm>");
        return t;
    }

    private List<CameraSource> sources() throws IOException {
        List<CameraSource> out = new ArrayList<>();
        for (Path p : footage) {
            if (!Files.exists(p)) {
                throw new IllegalArgumentException("footage " + p + " does not exist");
            }
            if (Files.isDirectory(p)) {
                List<Path> videos;
                try (Stream<Path> files = Files.list(p)) {
                    videos = files.filter(f -> VIDEO_EXTENSIONS.contains(extension(f)))
                            .sorted()
                            .toList();
                }
                if (!videos.isEmpty()) {
                    videos.forEach(v -> out.add(CameraSource.of(v.toString())));
                    continue;
                }
            }
            out.add(CameraSource.of(p.toString()));
        }
        return out;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Runs the pipeline on each sampled frame and keeps the norms. */
    private record NormCollector(
            FacePipeline pipeline, List<Float> norms, int[] frames, int maxFrames, ProgressLine progress)
            implements FrameSink {
        @Override
        public boolean wants(long captureMicros) {
            return frames[0] < maxFrames;
        }

        @Override
        public void accept(Picture picture, long captureMicros) {
            Mat bgr = picture.toBgr();
            try {
                for (Face face : pipeline.process(bgr)) {
                    norms.add(face.embedding().norm());
                    face.close();
                }
            } finally {
                if (bgr != picture.mat()) {
                    bgr.close();
                }
            }
            frames[0]++;
            progress.update("frames", frames[0], maxFrames);
        }

        @Override
        public void skipped(long captureMicros) {
            // sampled out by the source's fps setting
        }

        @Override
        public void unreadable(String item, String reason) {
            System.err.println("facestream quality calibrate: skipped " + item + ": " + reason);
        }

        @Override
        public void gap(String cause) {
            // recorded footage has no connection to lose
        }

        @Override
        public boolean stopping() {
            return frames[0] >= maxFrames;
        }
    }
}
