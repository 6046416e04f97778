package io.facestream.ops.ingest;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.BrokerProbe;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.topics.TopicCreator;
import io.facestream.ingest.CameraStatus;
import io.facestream.ingest.IngestService;
import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraRequest;
import io.facestream.ops.cli.BrokerAddress;
import io.facestream.ops.cli.ServiceOptions;
import io.facestream.ops.report.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream ingest}: the ingest service on its own. Runs until every camera has ended (recorded input at its
 * end, or failed) or Ctrl-C; prints one line per camera at the end; exits 1 if any camera failed.
 */
@Command(
        name = "ingest",
        mixinStandardHelpOptions = true,
        description = {
            "Read cameras into facestream.frames: video files, image directories, live URLs "
                    + "(rtsp, http MJPEG/HLS, rtmp, udp, srt) and V4L2 devices.",
            "Per-camera options follow the source: --camera 'door=rtsp://cam/1;fps=2;max-width=1280'",
            "(fps, max-width, max-height, jpeg-quality, replay, at-end, image-fps, read-timeout, reconnect-attempts, format)."
        })
public final class IngestCommand implements Callable<Integer> {
    @Mixin
    ServiceOptions options;

    @Option(
            names = "--camera",
            paramLabel = "ID=SOURCE",
            description = "A camera; repeat for more (default: the cameras.* config section)")
    List<String> cameras = new ArrayList<>();

    @Option(
            names = "--fps",
            paramLabel = "N",
            description = "Frames per second kept from each camera; 0 = every frame (default: ingest.fps = 5)")
    Double fps;

    @Option(
            names = "--fast",
            description = "Replay files and image directories as fast as possible instead of in real time")
    boolean fast;

    @Option(
            names = "--once",
            description = "Stop at the end of files (no looping) and exit after flushing: 0 if every camera finished")
    boolean once;

    @Override
    public Integer call() throws InterruptedException {
        FacestreamConfig config = options.load(
                "ingest.fps", fps, "ingest.replay", fast ? "fast" : null, "ingest.at-end", once ? "stop" : null);
        List<CameraRequest> requests = cameras.isEmpty()
                ? CameraRequest.fromConfigSection(config.section("cameras"))
                : cameras.stream().map(CameraRequest::parse).toList();
        if (requests.isEmpty()) {
            throw new IllegalArgumentException(
                    "no cameras: give --camera ID=SOURCE (e.g. --camera lobby=/footage/lobby.mp4) "
                            + "or configure cameras.<id> in the YAML file");
        }
        if (once) {
            requests = requests.stream().map(IngestCommand::withoutLooping).toList();
        }
        KafkaConnection kafka = KafkaConnection.fromConfig(config, BrokerAddress.of(config));
        try (Admin admin = KafkaClients.admin(kafka)) {
            new TopicCreator(admin, (short) config.getInt("kafka.replication-factor"))
                    .ensure(TopicCatalog.fromConfig(config));
        } catch (RuntimeException e) {
            if (!TopicCreator.refused(e)) {
                throw e;
            }
            // a least-privilege user (docs/security.md) publishes frames but does not create topics
            System.err.println("facestream ingest: this Kafka user may not create the topics; they must exist "
                    + "(`facestream topics` as the admin user creates them)");
        }
        CameraOptions defaults = CameraOptions.fromConfig(config);
        IngestService service = IngestService.start(
                kafka,
                requests,
                defaults,
                config.getDuration("metrics.log-interval"),
                IngestService.Encoding.fromConfig(config));
        Thread hook = new Thread(service::close, "ingest-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try (BrokerProbe broker = BrokerProbe.start(config, kafka);
                ManagementServer management = ManagementServer.start(
                        config, new HealthRegistry().register("broker", broker).register("ingest", service::health))) {
            while (!service.awaitEnd(Duration.ofSeconds(1))) {
                // every camera ends by itself (end of input, failure) or the shutdown hook stops them
            }
        }
        service.close();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        List<CameraStatus> statuses = service.statuses();
        summary(statuses).print(System.out);
        List<CameraStatus> failed = statuses.stream()
                .filter(s -> s.state() == CameraStatus.State.FAILED)
                .toList();
        failed.forEach(s -> System.err.println("facestream ingest: camera " + s.camera() + " failed: " + s.error()));
        return failed.isEmpty() ? 0 : 1;
    }

    /** {@code --once} wins over a per-camera {@code at-end=loop}. */
    private static CameraRequest withoutLooping(CameraRequest r) {
        Map<String, String> opts = new LinkedHashMap<>(r.options());
        opts.put("at-end", AtEnd.STOP.name().toLowerCase());
        return new CameraRequest(r.text(), r.id(), r.source(), opts);
    }

    static Table summary(List<CameraStatus> statuses) {
        Table t = new Table("ingest", "camera", "state", "read", "sent", "skipped", "errors", "gaps", "error");
        for (CameraStatus s : statuses) {
            t.row(
                    s.camera(),
                    s.state().name().toLowerCase(),
                    s.counts().read(),
                    s.counts().sent(),
                    s.counts().skipped(),
                    s.counts().errors(),
                    s.counts().gaps(),
                    s.error() == null ? "" : s.error());
        }
        return t;
    }
}
