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
 * FFmpeg command-line decoder ({@code ffmpeg -benchmark -i F -f null -}) on the same file in the same run.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description =
                "Ingest throughput on a 1080p H.264 file (5 fps and full-rate sampling) against `ffmpeg -benchmark`.")
public final class IngestBenchCommand implements Callable<Integer> {
    private static final Pattern RTIME = Pattern.compile("rtime=([0-9.]+)s");
    private static final Pattern FRAMES = Pattern.compile("frame=\\s*(\\d+)");

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
            description = "Runs of each measurement; the best is reported (default: 3)")
    int runs = 3;

    @Option(names = "--jpeg-quality", paramLabel = "Q", description = "JPEG quality of published frames (default: 90)")
    int jpegQuality = 90;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description = "Kafka to deliver to (default: an embedded broker)")
    String bootstrap;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the table as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
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
        Measurement ffmpeg = null;
        Measurement decode = null;
        Measurement sampled = null;
        Measurement full = null;
        String ffmpegNote = null;
        try {
            for (int run = 1; run <= runs; run++) {
                // interleaved, so a neighbour's load on a shared machine hits every pipeline alike
                try {
                    ffmpeg = best(ffmpeg, ffmpegCli(clip));
                    progress(run, ffmpeg.name(), ffmpeg);
                } catch (IOException e) {
                    ffmpegNote = e.getMessage();
                }
                decode = best(decode, decodeOnly(clip));
                progress(run, "decode only", decode);
                sampled = best(sampled, ingest(connection, clip, 5, "bench-5fps-" + run + "-" + System.nanoTime()));
                progress(run, "ingest 5 fps", sampled);
                full = best(full, ingest(connection, clip, 0, "bench-full-" + run + "-" + System.nanoTime()));
                progress(run, "ingest full rate", full);
            }
        } finally {
            if (kafka != null) {
                kafka.close();
            }
        }
        Table t = new Table(
                "bench ingest: " + clip.getFileName() + " (" + codec + " " + size + ", " + decode.decoded()
                        + " frames)",
                "pipeline",
                "sampling",
                "decoded",
                "delivered",
                "seconds",
                "decoded fps",
                "delivered fps",
                "vs ffmpeg decode");
        double reference = ffmpeg == null ? Double.NaN : ffmpeg.decodedFps();
        if (ffmpeg != null) {
            t.row(ffmpeg.name(), "all", ffmpeg.decoded(), null, ffmpeg.seconds(), ffmpeg.decodedFps(), null, 1.0);
        } else {
            t.row("ffmpeg -benchmark", "all", null, null, null, null, null, "n/a");
        }
        for (Measurement m : List.of(decode, sampled, full)) {
            t.row(
                    m.name(),
                    m.sampling(),
                    m.decoded(),
                    m.delivered() < 0 ? null : m.delivered(),
                    m.seconds(),
                    m.decodedFps(),
                    m.delivered() < 0 ? null : m.deliveredFps(),
                    Double.isNaN(reference) ? "n/a" : m.decodedFps() / reference);
        }
        t.note("file", clip.toAbsolutePath().toString());
        t.note(
                "ratio ingest(5 fps)/ffmpeg",
                Double.isNaN(reference)
                        ? "n/a"
                        : String.format("%.2f (goal >= 0.9)", sampled.decodedFps() / reference));
        if (ffmpegNote != null) {
            t.note("ffmpeg", ffmpegNote);
        }
        t.note("runs", runs + " of each, interleaved; best shown");
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

    private static void progress(int run, String what, Measurement m) {
        System.out.printf("bench ingest: run %d, %s: best so far %.1f decoded fps%n", run, what, m.decodedFps());
    }

    private static Measurement best(Measurement a, Measurement b) {
        return a == null || b.decodedFps() > a.decodedFps() ? b : a;
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
    private Measurement ingest(KafkaConnection connection, Path clip, double fps, String camera)
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
                connection, List.of(CameraRequest.parse(camera + "=" + clip)), options, Duration.ofMinutes(10))) {
            if (!service.awaitEnd(Duration.ofMinutes(10))) {
                throw new CommandFailed("ingest of " + clip + " did not finish within 10 minutes");
            }
            status = service.status(camera);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (status.state() != CameraStatus.State.FINISHED) {
            throw new CommandFailed("ingest of " + clip + " failed: " + status.error());
        }
        return new Measurement(
                fps > 0 ? "ingest (decode, sample, JPEG, Kafka)" : "ingest (decode, JPEG, Kafka)",
                fps > 0 ? fps + " fps" : "every frame",
                status.counts().read(),
                status.counts().sent(),
                seconds);
    }

    record Measurement(String name, String sampling, long decoded, long delivered, double seconds) {
        double decodedFps() {
            return decoded / seconds;
        }

        double deliveredFps() {
            return delivered / seconds;
        }
    }
}
