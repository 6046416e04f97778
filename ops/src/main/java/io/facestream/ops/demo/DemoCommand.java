package io.facestream.ops.demo;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.kafka.GroupLag;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.ingest.CameraStatus;
import io.facestream.ingest.IngestService;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import io.facestream.match.api.auth.Role;
import io.facestream.match.api.faces.FaceRecords;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.ops.runtime.AllInOne;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream demo}: {@code up} plus footage of people and a watchlist, end to end. The synthetic footage is
 * rendered once (cached), half of its people with stills are enrolled through the API, the threshold is calibrated,
 * the videos are ingested as cameras, decisions are printed as they arrive and summarised against the ground truth.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run everything (like 'up') on demo footage of people with a demo watchlist; print matches as they arrive "
                    + "and a summary against the footage's ground truth.",
            "Without --exit the page stays up on http://localhost:8080 (this host only; --set api.host=0.0.0.0 serves others) until Ctrl-C."
        })
public final class DemoCommand implements Callable<Integer> {
    private static final String CAMERA_PREFIX = "demo-";

    @Mixin
    ConfigOptions options;

    @Option(
            names = "--exit",
            description = "Exit after the summary instead of keeping the page up: 0 when the false-alarm rate "
                    + "on people not enrolled is within the target FPIR, " + DemoSummary.TARGET_MISSED
                    + " when it is above")
    boolean exit;

    @Option(
            names = "--footage",
            paramLabel = "DIR",
            description = "Where the demo footage is rendered and cached (default: ~/.facestream/demo)")
    Path footageDir;

    @Option(
            names = "--gallery",
            defaultValue = "demo",
            description = "Gallery the demo enrols into and matches against (default ${DEFAULT-VALUE})")
    String gallery;

    @Option(
            names = "--fpir",
            defaultValue = "0.05",
            description = "Target false-positive identification rate of the threshold (default ${DEFAULT-VALUE})")
    double fpir;

    @Option(
            names = "--fps",
            defaultValue = "10",
            description = "Frames per second ingested from each video (default ${DEFAULT-VALUE})")
    double fps;

    @Option(names = "--replay", description = "fast or realtime (default: fast with --exit, else realtime)")
    String replay;

    @Option(
            names = "--timeout",
            defaultValue = "PT10M",
            description = "Give up waiting for the decisions after this long (default 10 minutes)")
    Duration timeout;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the summary table as JSON")
    Path json;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("embed.service.mode", "complete"); // recorded footage: every frame counts, none is skipped as late
        flags.put("match.gallery", gallery);
        FacestreamConfig config = options.load(flags);
        if (!config.getString("api.tls.cert", "").isBlank()) {
            throw new IllegalArgumentException(
                    "the demo's own API client speaks plain HTTP to 127.0.0.1: run the demo without "
                            + "api.tls.cert and api.tls.key (it listens on 127.0.0.1 only), or run `up` with TLS");
        }
        FacestreamPaths paths = FacestreamPaths.of(config);
        DemoFootage footage = DemoFootage.ensure(
                footageDir != null ? footageDir : paths.cache("demo"),
                paths.sharedOrNull(),
                paths.cache(),
                ModelZoo.store(config),
                FaceSettings.from(config).embedder(),
                System.err);

        AllInOne all = AllInOne.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(
                () -> {
                    all.close();
                    stopped.countDown();
                },
                "facestream-demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            MatchService match = all.service(MatchService.class)
                    .orElseThrow(() -> new IllegalStateException("the all-in-one runtime started no match service"));
            match.awaitRunning(Duration.ofMinutes(2));
            // the demo's own client key: in memory only, for as long as the demo may take
            String key = match.keys()
                    .createForProcess("demo", Role.ADMIN, timeout.plusMinutes(10))
                    .secret();
            ApiClient api = new ApiClient(match.apiPort(), key);
            System.out.println("demo: API and page on " + match.apiUrl() + " (log in with an admin key: "
                    + match.keys()
                            .adminKeyFile()
                            .map(f -> "the one generated in " + f)
                            .orElse("yours, from api.keys or the key store")
                    + ")");
            DemoGallery.Built built = DemoGallery.build(api, gallery, footage, fpir, System.out);

            KafkaConnection kafka = all.connection();
            DemoSummary summary;
            try (FaceRecords faces = new FaceRecords(kafka);
                    MatchWatch watch = new MatchWatch(
                            kafka,
                            new TrackTruth(footage, faces, CAMERA_PREFIX),
                            built.enrolled(),
                            CAMERA_PREFIX,
                            System.out)) {
                ingest(config, kafka, footage);
                awaitDecisions(config, kafka, watch, started);
                summary = DemoSummary.of(watch.finals(), built.enrolled(), footage);
            }
            Table table = summary.table(built, fpir, (System.nanoTime() - started) / 1e9);
            table.print(System.out);
            Table.writeJson(json, List.of(table, summary.decisions(built.enrolled())));
            DemoSummary.Verdict verdict = summary.verdict(fpir);
            (verdict.met() ? System.out : System.err).println(verdict.line());
            if (exit) {
                return verdict.exitCode();
            }
            System.out.println("demo: the page stays up on " + match.apiUrl() + " ; Ctrl-C to stop");
            stopped.await();
            return verdict.exitCode();
        } finally {
            if (stopped.getCount() > 0) { // not stopped by Ctrl-C: close here
                try {
                    Runtime.getRuntime().removeShutdownHook(hook);
                    all.close();
                } catch (IllegalStateException shuttingDown) {
                    // Ctrl-C: the hook closes everything
                }
            }
        }
    }

    private void ingest(FacestreamConfig config, KafkaConnection kafka, DemoFootage footage)
            throws InterruptedException {
        String pace = replay != null ? replay : exit ? "fast" : "realtime";
        List<CameraRequest> cameras = new ArrayList<>();
        for (Path video : footage.videos()) {
            String stem = video.getFileName().toString().replaceFirst("\\.mp4$", "");
            cameras.add(CameraRequest.parse(
                    CAMERA_PREFIX + stem + "=" + video + ";fps=" + fps + ";replay=" + pace + ";at-end=stop"));
        }
        System.out.println("demo: ingesting " + cameras.size() + " videos at " + fps + " frames/s each (" + pace + ")");
        try (IngestService ingest = IngestService.start(
                kafka,
                cameras,
                CameraOptions.fromConfig(config),
                config.getDuration("metrics.log-interval"),
                IngestService.Encoding.fromConfig(config))) {
            while (!ingest.awaitEnd(Duration.ofSeconds(1))) {
                // recorded input: every camera stops at its end
            }
            ingest.flush();
            for (CameraStatus s : ingest.statuses()) {
                if (s.state() == CameraStatus.State.FAILED) {
                    throw new IllegalStateException("demo camera " + s.camera() + " failed: " + s.error());
                }
            }
        }
    }

    /**
     * Every frame embedded (the embed group's lag on the frames topic is 0), then every track closed: the decisions
     * have been quiet for longer than it takes the embed service to report the cameras silent for the idle close, and
     * each provisional track has its final decision.
     */
    private void awaitDecisions(FacestreamConfig config, KafkaConnection kafka, MatchWatch watch, long started)
            throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String group = config.getString("embed.service.group-id");
        double settle = (config.getDuration("match.track.idle-close").toMillis()
                                + config.getDuration("match.track.idle-check").toMillis()
                                + config.getDuration("embed.service.progress.silence-interval")
                                        .toMillis())
                        / 1000.0
                + 2;
        long nextProgress = 0;
        try (Admin admin = KafkaClients.admin(kafka)) {
            long lag;
            while ((lag = framesLag(admin, group)) > 0) {
                if (System.nanoTime() > nextProgress) {
                    System.err.printf(
                            "demo: %d frames waiting to be embedded (%.0f s elapsed)%n",
                            lag, (System.nanoTime() - started) / 1e9);
                    nextProgress = System.nanoTime() + 5_000_000_000L;
                }
                check(deadline, "frames to be embedded (" + lag + " left)");
                Thread.sleep(500);
            }
        }
        while (watch.quietSeconds() < settle || !watch.everyTrackFinal()) {
            check(deadline, "the last tracks to close");
            Thread.sleep(250);
        }
    }

    private void check(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("gave up after " + timeout + " waiting for " + what);
        }
    }

    static long framesLag(Admin admin, String group) throws Exception {
        return GroupLag.of(admin, group, TopicCatalog.FRAMES, org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED)
                .values()
                .stream()
                .mapToLong(Long::longValue)
                .sum();
    }
}
