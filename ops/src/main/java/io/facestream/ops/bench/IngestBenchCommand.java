package io.facestream.ops.bench;

import io.facestream.broker.EmbeddedKafka;
import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.ingest.CameraStatus;
import io.facestream.ingest.IngestService;
import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import io.facestream.ingest.camera.Reconnect;
import io.facestream.ingest.camera.Replay;
import io.facestream.ingest.publish.JpegEncoder;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.report.Table;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench ingest}: decode and delivery rates of the ingest service on a 1080p H.264 file, next to the
 * FFmpeg command-line decoder ({@code ffmpeg -benchmark -i F -f null -}) and to the FFmpeg that JavaCV bundles doing
 * the ingest's own work (decode, {@code fps=5}, MJPEG at the matching quality) on the same file in the same run.
 * Pipelines are measured interleaved round by round (order reversed every other round); rows show the median over
 * rounds with the min–max, and ratios are taken within each round.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description =
                "Ingest throughput on a 1080p H.264 file (5 fps and full-rate sampling) against `ffmpeg -benchmark`.")
public final class IngestBenchCommand implements Callable<Integer> {
    private static final Pattern RTIME = Pattern.compile("rtime=([0-9.]+)s");
    private static final Pattern FRAMES = Pattern.compile("frame=\\s*(\\d+)");
    private static final Pattern VIDEO_KB = Pattern.compile("video:\\s*([0-9.]+)\\s*Ki?B", Pattern.CASE_INSENSITIVE);
    /** Frames per second kept by the sampled pipelines, the ingest's and its FFmpeg peer's. */
    static final double SAMPLED_FPS = 5;

    @Option(
            names = "--file",
            paramLabel = "FILE",
            description = "Video to ingest (default: a generated 1080p H.264 clip, cached in ~/.facestream/bench)")
    Path file;

    @Option(
            names = "--seconds",
            paramLabel = "N",
            description = "Length of the generated clip in seconds (default: 10)")
    int seconds = 10;

    @Option(
            names = "--runs",
            paramLabel = "N",
            description = "Interleaved rounds of each measurement; median and min-max reported (default: 3)")
    int runs = 3;

    @Option(
            names = "--warmup",
            paramLabel = "N",
            description = "Untimed rounds of every pipeline before the measured ones (default: 1)")
    int warmupRounds = 1;

    @Option(names = "--jpeg-quality", paramLabel = "Q", description = "JPEG quality of published frames (default: 90)")
    int jpegQuality = 90;

    @Option(
            names = "--ffmpeg-qscale",
            paramLabel = "Q",
            description = "MJPEG -q:v of the FFmpeg peer (default: 0 = from --jpeg-quality, see ffmpegQscale)")
    int ffmpegQscale = 0;

    @Option(
            names = "--jpeg-encoder",
            split = ",",
            paramLabel = "ROUTE",
            description =
                    "ingest.jpeg-encoder routes to measure, each as its own ingest rows (default: turbojpeg,opencv"
                            + " when TurboJPEG is installed, else opencv); the first is the one compared with FFmpeg")
    List<String> jpegEncoders;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka to deliver to (default: an embedded broker)")
    String bootstrap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        if (runs < 1 || warmupRounds < 0) {
            throw new IllegalArgumentException("--runs must be >= 1 and --warmup >= 0");
        }
        Path clip = file != null ? file : cachedClip();
        if (!Files.isRegularFile(clip)) {
            throw new IllegalArgumentException("video file " + clip + " does not exist");
        }
        String codec;
        String size;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile())) {
            g.start();
            codec = g.getVideoCodecName();
            size = g.getImageWidth() + "x" + g.getImageHeight();
            g.stop();
        }
        EmbeddedKafka kafka = bootstrap == null ? EmbeddedKafka.startTemporary() : null;
        String address = kafka != null ? kafka.bootstrapServers() : bootstrap;
        // the temporary broker is PLAINTEXT; a cluster of the user's gets the configured client properties
        KafkaConnection connection = kafka != null
                ? KafkaConnection.of(address)
                : KafkaConnection.fromConfig(FacestreamConfig.builder().build(), address);
        try (Admin admin = KafkaClients.admin(connection)) {
            new TopicCreator(admin, (short) 1).ensure(TopicCatalog.defaults());
        }
        Path bundled = bundledFfmpeg();
        int qscale = ffmpegQscale > 0 ? ffmpegQscale : ffmpegQscale(jpegQuality);
        List<JpegEncoder.Kind> routes = jpegEncoders == null
                ? (JpegEncoder.unavailableReason().isEmpty()
                        ? List.of(JpegEncoder.Kind.TURBOJPEG, JpegEncoder.Kind.OPENCV)
                        : List.of(JpegEncoder.Kind.OPENCV))
                : jpegEncoders.stream().map(JpegEncoder.Kind::parse).distinct().toList();
        routes.forEach(JpegEncoder::of); // a route that cannot run fails here, before any measuring
        List<String> order = new java.util.ArrayList<>(List.of("ffmpeg-decode", "ffmpeg-ingest", "decode"));
        routes.forEach(r -> order.add("ingest-5fps-" + r));
        routes.forEach(r -> order.add("ingest-full-" + r));
        String headline = "ingest-5fps-" + routes.get(0);
        java.util.Map<String, List<Measurement>> samples = new java.util.LinkedHashMap<>();
        order.forEach(k -> samples.put(k, new java.util.ArrayList<>()));
        String ffmpegNote = null;
        String loadStart = BenchMachine.loadAverage();
        try {
            // warm-up rounds first (run <= 0, not recorded): every pipeline once, so none is measured cold (JIT, page
            // cache, the broker's first topics) while another is warm
            for (int run = 1 - warmupRounds; run <= runs; run++) {
                // interleaved, order reversed every other round, so a neighbour's load hits every pipeline alike
                for (String what : Rounds.order(order, run - 1 + warmupRounds)) {
                    Measurement m = switch (what) {
                        case "ffmpeg-decode" -> {
                            try {
                                yield ffmpegCli(clip);
                            } catch (IOException e) {
                                ffmpegNote = e.getMessage();
                                yield null;
                            }
                        }
                        case "ffmpeg-ingest" -> ffmpegIngest(bundled, clip, qscale);
                        case "decode" -> decodeOnly(clip);
                        default -> {
                            boolean sampled = what.startsWith("ingest-5fps-");
                            JpegEncoder.Kind route =
                                    JpegEncoder.Kind.valueOf(what.substring(what.lastIndexOf('-') + 1));
                            yield ingest(
                                    connection,
                                    clip,
                                    sampled ? SAMPLED_FPS : 0,
                                    route,
                                    "bench-" + (sampled ? "5fps-" : "full-") + run + "-" + System.nanoTime());
                        }
                    };
                    if (m != null && run >= 1) {
                        samples.get(what).add(m);
                    }
                    if (m != null) {
                        progress(run, m);
                    }
                }
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        List<Measurement> decodes = samples.get("decode");
        Table t = new Table(
                "bench ingest: " + clip.getFileName() + " (" + codec + " " + size + ", "
                        + decodes.get(0).decoded() + " frames)",
                "pipeline",
                "sampling",
                "decoded",
                "delivered",
                "seconds",
                "seconds_min_max",
                "decoded fps",
                "delivered fps",
                "vs ffmpeg decode",
                "vs ffmpeg same work",
                "vs_min_max",
                "kb_per_frame",
                "n");
        List<Measurement> cli = samples.get("ffmpeg-decode");
        List<Measurement> peer = samples.get("ffmpeg-ingest");
        for (String what : order) {
            List<Measurement> ms = samples.get(what);
            if (ms.isEmpty()) {
                t.row(
                        "ffmpeg -benchmark (Debian CLI)",
                        "all",
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "n/a",
                        null,
                        null,
                        null,
                        0);
                continue;
            }
            Rounds.Summary secs =
                    Rounds.Summary.of(ms.stream().map(Measurement::seconds).toList());
            Measurement m = ms.get(0);
            // decoded fps of the median run; ratios per round (same round, same load), then their median
            double decodedFps = m.decoded() / secs.median();
            Object vsDecode = cli.size() == ms.size() ? round(ratio(cli, ms).median(), 3) : "n/a";
            Rounds.Summary vsPeer = ratio(peer, ms);
            t.row(
                    m.name(),
                    m.sampling(),
                    m.decoded(),
                    m.delivered() < 0 ? null : m.delivered(),
                    round(secs.median(), 3),
                    secs.range(3),
                    round(decodedFps, 1),
                    m.delivered() < 0 ? null : round(m.delivered() / secs.median(), 1),
                    vsDecode,
                    round(vsPeer.median(), 3),
                    vsPeer.range(3),
                    m.kilobytes() < 0 ? null : round(m.kilobytes() / m.delivered(), 1),
                    ms.size());
        }
        t.note("file", clip.toAbsolutePath().toString());
        Rounds.Summary sameWork = ratio(peer, samples.get(headline));
        t.note(
                "ratio ingest(5 fps)/ffmpeg(same work)",
                String.format(
                        java.util.Locale.ROOT,
                        "%.2f (min-max %s, per round: decoded fps of the ingest with %s / of FFmpeg decode+fps=%s+MJPEG)",
                        sameWork.median(),
                        sameWork.range(2),
                        routes.get(0).name().toLowerCase(java.util.Locale.ROOT),
                        fmt(SAMPLED_FPS)));
        t.note(
                "ratio ingest(5 fps)/ffmpeg decode",
                cli.isEmpty()
                        ? "n/a"
                        : String.format(
                                java.util.Locale.ROOT,
                                "%.2f (goal >= 0.9)",
                                ratio(cli, samples.get(headline)).median()));
        if (ffmpegNote != null) {
            t.note("ffmpeg", ffmpegNote);
        }
        t.note(
                "ffmpeg same work",
                bundled + " -benchmark -i F -map 0:v:0 -vf fps=" + fmt(SAMPLED_FPS) + " -c:v mjpeg -qmin 1 -q:v "
                        + qscale
                        + " -f null - (timed by its own rtime; q:v " + qscale + " ~ JPEG quality " + jpegQuality
                        + " by encoded size, see docs/ingest.md; FFmpeg's default threads)");
        t.note(
                "runs",
                runs + " rounds of each after " + warmupRounds
                        + " untimed warm-up round(s), interleaved (order reversed every other round); median and min-max");
        t.note("load_average_start", loadStart);
        t.note("load_average_end", BenchMachine.loadAverage());
        t.note("commit", BenchMachine.commit());
        t.note("jpeg quality", jpegQuality);
        t.note("kafka", kafka != null ? "embedded broker in this JVM" : address);
        t.note("cpu cores", Runtime.getRuntime().availableProcessors());
        t.print(System.out);
        Table.writeJson(json, List.of(t));
        return 0;
    }

    private Path cachedClip() throws Exception {
        Path cache = FacestreamPaths.fromEnvironment().cache("bench").resolve("ingest-1080p-h264-" + seconds + "s.mp4");
        if (!Files.isRegularFile(cache)) {
            SyntheticClip.h264(cache, 1920, 1080, 25, seconds);
        }
        return cache;
    }

    private static void progress(int run, Measurement m) {
        System.err.printf(
                java.util.Locale.ROOT,
                "bench ingest: %s, %s (%s): %.1f decoded fps%n",
                run >= 1 ? "round " + run : "warm-up",
                m.name(),
                m.sampling(),
                m.decodedFps());
    }

    /** Per round, decoded fps of {@code rows} over that of {@code reference} (an FFmpeg row), summarised. */
    private static Rounds.Summary ratio(List<Measurement> reference, List<Measurement> rows) {
        List<Double> r = new java.util.ArrayList<>();
        for (int i = 0; i < Math.min(reference.size(), rows.size()); i++) {
            // both decode the whole file: the ratio of frames per second is the inverse ratio of the times
            r.add(reference.get(i).seconds() / rows.get(i).seconds());
        }
        if (r.isEmpty()) {
            r.add(Double.NaN);
        }
        return Rounds.Summary.of(r);
    }

    /**
     * FFmpeg MJPEG {@code -q:v} giving the bytes per frame nearest to OpenCV's (libjpeg-turbo's) JPEG at {@code quality},
     * calibrated on the 5 fps frames of the generated 1080p clip (docs/ingest.md; FFmpeg's scale has no exact IJG
     * equivalent): quality 95 = 472 kB and q:v 1 = 438 kB, 90 = 318 kB and q:v 2 = 256 kB, 85 = 248 kB, 80 = 210 kB,
     * 75 = 182 kB and q:v 3 = 188 kB, q:v 4 = 152 kB, q:v 5 = 131 kB.
     */
    static int ffmpegQscale(int quality) {
        if (quality < 1 || quality > 100) {
            throw new IllegalArgumentException("JPEG quality must be 1..100, got " + quality);
        }
        for (int[] step : QSCALE_FROM_QUALITY) {
            if (quality >= step[0]) {
                return step[1];
            }
        }
        return 5;
    }

    /** {lowest JPEG quality, FFmpeg -q:v}, best first. */
    static final int[][] QSCALE_FROM_QUALITY = {{93, 1}, {83, 2}, {73, 3}, {60, 4}};

    /** The {@code ffmpeg} program that JavaCV bundles (org.bytedeco ffmpeg), extracted to JavaCPP's cache. */
    static Path bundledFfmpeg() {
        try {
            return Path.of(org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class));
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            throw new CommandFailed("cannot extract the ffmpeg program bundled with JavaCV: " + e.getMessage(), e);
        }
    }

    /** The bundled FFmpeg doing the ingest's work: decode every frame, keep 5 fps, MJPEG-encode them, discard. */
    static Measurement ffmpegIngest(Path ffmpeg, Path clip, int qscale) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(
                        ffmpeg.toString(),
                        "-hide_banner",
                        "-nostdin",
                        "-benchmark",
                        "-i",
                        clip.toString(),
                        "-map",
                        "0:v:0",
                        "-vf",
                        "fps=" + fmt(SAMPLED_FPS),
                        "-c:v",
                        "mjpeg",
                        // FFmpeg's MJPEG floor is q 2 unless qmin is lowered; quality >= 93 maps to q 1
                        "-qmin",
                        "1",
                        "-q:v",
                        Integer.toString(qscale),
                        "-f",
                        "null",
                        "-")
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new CommandFailed("bundled ffmpeg exited with " + p.exitValue() + ": "
                    + out.lines().reduce((x, y) -> y).orElse(""));
        }
        Matcher rt = RTIME.matcher(out);
        if (!rt.find()) {
            throw new CommandFailed("bundled ffmpeg printed no -benchmark rtime: " + out);
        }
        long frames = -1;
        for (Matcher fm = FRAMES.matcher(out); fm.find(); ) {
            frames = Long.parseLong(fm.group(1));
        }
        Matcher kb = VIDEO_KB.matcher(out);
        double kilobytes = kb.find() ? Double.parseDouble(kb.group(1)) : -1;
        long decoded;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile())) {
            g.start();
            decoded = g.getLengthInVideoFrames();
            g.stop();
        } catch (org.bytedeco.javacv.FrameGrabber.Exception e) {
            throw new IOException("cannot read " + clip + ": " + e.getMessage(), e);
        }
        return new Measurement(
                "ffmpeg (JavaCV's bundled, decode + fps + MJPEG)",
                fmt(SAMPLED_FPS) + " fps",
                decoded,
                frames,
                Double.parseDouble(rt.group(1)),
                kilobytes);
    }

    private static String fmt(double fps) {
        return fps == Math.rint(fps) ? Long.toString((long) fps) : Double.toString(fps);
    }

    private static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Debian's {@code ffmpeg} decoding the whole file to the null muxer, timed by its own {@code -benchmark}. */
    private static Measurement ffmpegCli(Path clip) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(
                            "ffmpeg",
                            "-hide_banner",
                            "-nostdin",
                            "-benchmark",
                            "-i",
                            clip.toString(),
                            "-map",
                            "0:v:0",
                            "-f",
                            "null",
                            "-")
                    .redirectErrorStream(true)
                    .start();
        } catch (IOException e) {
            throw new IOException("ffmpeg CLI not found (apt-get install -y ffmpeg): " + e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("ffmpeg exited with " + p.exitValue() + ": "
                    + out.lines().reduce((x, y) -> y).orElse(""));
        }
        Matcher rt = RTIME.matcher(out);
        double seconds = rt.find() ? Double.parseDouble(rt.group(1)) : Double.NaN;
        long frames = -1;
        for (Matcher fm = FRAMES.matcher(out); fm.find(); ) {
            frames = Long.parseLong(fm.group(1));
        }
        return new Measurement("ffmpeg -benchmark (Debian CLI)", "all", frames, -1, seconds);
    }

    /** JavaCV decoding every frame without conversion: what the ingest's skipped frames cost. */
    private static Measurement decodeOnly(Path clip) throws Exception {
        long start = System.nanoTime();
        long frames = 0;
        try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(clip.toFile())) {
            g.setVideoOption("threads", "auto");
            g.start();
            for (Frame f; (f = g.grabFrame(false, true, false, false, false)) != null; ) {
                frames++;
            }
            g.stop();
        }
        return new Measurement("JavaCV decode only", "all", frames, -1, (System.nanoTime() - start) / 1e9);
    }

    /** The real ingest service, fast replay, one camera; timed from start until every frame is acknowledged. */
    private Measurement ingest(KafkaConnection connection, Path clip, double fps, JpegEncoder.Kind route, String camera)
            throws InterruptedException {
        CameraOptions options = new CameraOptions(
                fps,
                0,
                0,
                jpegQuality,
                Replay.FAST,
                AtEnd.STOP,
                25,
                Duration.ofSeconds(5),
                new Reconnect(0, Duration.ZERO, Duration.ZERO),
                "");
        long start = System.nanoTime();
        CameraStatus status;
        try (IngestService service = IngestService.start(
                connection,
                List.of(CameraRequest.parse(camera + "=" + clip)),
                options,
                Duration.ofMinutes(10),
                new IngestService.Encoding(0, route))) {
            if (!service.awaitEnd(Duration.ofMinutes(10))) {
                throw new CommandFailed("ingest of " + clip + " did not finish within 10 minutes");
            }
            status = service.status(camera);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status.state() != CameraStatus.State.FINISHED) {
            throw new CommandFailed("ingest of " + clip + " failed: " + status.error());
        }
        String jpeg = "JPEG via " + route.name().toLowerCase(java.util.Locale.ROOT);
        return new Measurement(
                fps > 0 ? "ingest (decode, sample, " + jpeg + ", Kafka)" : "ingest (decode, " + jpeg + ", Kafka)",
                fps > 0 ? fmt(fps) + " fps" : "every frame",
                status.counts().read(),
                status.counts().sent(),
                seconds);
    }

    record Measurement(String name, String sampling, long decoded, long delivered, double seconds, double kilobytes) {
        Measurement(String name, String sampling, long decoded, long delivered, double seconds) {
            this(name, sampling, decoded, delivered, seconds, -1);
        }

        double decodedFps() {
            return decoded / seconds;
        }

        double deliveredFps() {
            return delivered / seconds;
        }
    }
}
