package io.facestream.ops.bench;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.config.FacestreamPaths;
import io.facestream.core.events.FaceObservation;
import io.facestream.core.events.FrameHeaders;
import io.facestream.core.events.JsonSerde;
import io.facestream.core.events.Match;
import io.facestream.core.kafka.GroupLag;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.core.vector.Vectors;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.embed.service.EmbedMetrics;
import io.facestream.embed.service.EmbedService;
import io.facestream.gallery.model.Embedding;
import io.facestream.gallery.model.GalleryChange;
import io.facestream.gallery.model.GalleryDefinition;
import io.facestream.gallery.model.GalleryKind;
import io.facestream.gallery.model.Medium;
import io.facestream.gallery.model.ModelVersion;
import io.facestream.gallery.model.Subject;
import io.facestream.gallery.replication.GalleryWriter;
import io.facestream.match.runtime.MatchService;
import io.facestream.ops.cli.CommandFailed;
import io.facestream.ops.cli.ConfigOptions;
import io.facestream.ops.report.Table;
import io.facestream.ops.runtime.AllInOne;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code facestream bench e2e}: frame-in → match-out latency of the whole system in one JVM (broker, embed, match)
 * with real detection. Each camera plays the benchmark's rendered corridor clip ({@link PipelineFootage}: several
 * people walking, 3–5 faces a frame) at {@code --fps}, starting at its own point of the clip; the frames carry no
 * faces, so MTCNN finds them. The watchlist holds {@code --gallery} templates: random unit vectors of the embedder's
 * dimension plus the clip's people, enrolled from their own embeddings, written to the gallery topic the match
 * service replicates. Every face is decided on its own (a track closes before the camera's next frame and is
 * confident on its first face), so each face gives one PROVISIONAL decision whose latency is the time it was read
 * from {@code facestream.matches} minus its frame's capture time (stamped when the frame was sent).
 *
 * <p>Each row starts its own embed service (live mode: frames older than {@code embed.service.max-lag} are skipped
 * and counted; no catch-up pass) with the row's gating mode, and gives it the same warm-up; rows are interleaved over
 * rounds.
 */
@Command(
        name = "e2e",
        mixinStandardHelpOptions = true,
        description = "End-to-end latency (frame in -> match out) with real detection at several camera counts.")
public final class E2eBenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions options;

    @Option(
            names = "--cameras",
            split = ",",
            defaultValue = "1,4,8",
            description = "Camera counts to measure (default ${DEFAULT-VALUE})")
    List<Integer> cameraCounts;

    @Option(
            names = "--fps",
            defaultValue = "5",
            description = "Frames per second per camera (default ${DEFAULT-VALUE})")
    double fps;

    @Option(
            names = "--seconds",
            defaultValue = "30",
            description = "Seconds of load per row (default ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--gallery",
            defaultValue = "100000",
            description = "Random templates in the watchlist besides the clip's people (default ${DEFAULT-VALUE})")
    int gallery;

    @Option(
            names = "--gating",
            split = ",",
            defaultValue = "off,motion+tracks",
            description = "face.gating.mode of each row (default ${DEFAULT-VALUE})")
    List<String> gatings;

    @Option(
            names = "--detector",
            defaultValue = "mtcnn",
            paramLabel = "CONFIG",
            description = "The detector configuration, as a row of bench cameras: a preset (mtcnn, "
                    + "blazeface-full-tiled, ...) or DETECTOR[+KEY=VALUE...]; --gating sets the gating mode "
                    + "(default ${DEFAULT-VALUE})")
    String detector;

    @Option(
            names = "--detect-threads",
            defaultValue = "0",
            description = "embed.service.detect-threads (0 = one per core; default ${DEFAULT-VALUE})")
    int detectThreads;

    @Option(
            names = "--embed-threads",
            split = ",",
            defaultValue = "0",
            description = "embed.service.embed-threads of each row (0 = one per core on a CPU; several values: a row"
                    + " each, interleaved; default ${DEFAULT-VALUE})")
    List<Integer> embedThreads;

    @Option(
            names = "--warmup-seconds",
            defaultValue = "10",
            description = "Load before each row's measurement, at the row's camera count, so models are loaded and"
                    + " the JIT has compiled what the row runs (default ${DEFAULT-VALUE})")
    int warmupSeconds;

    @Option(
            names = "--settle-seconds",
            defaultValue = "90",
            description = "Load once before the first round, at the largest camera count: the JVM compiles the"
                    + " broker's, the services' and the libraries' code for minutes after start, and the rows measure"
                    + " the running system, not that (0 = none; default ${DEFAULT-VALUE})")
    int settleSeconds;

    @Option(
            names = "--rounds",
            defaultValue = "1",
            description = "Rounds; each runs every row once, in turn (default ${DEFAULT-VALUE})")
    int rounds;

    @Option(
            names = "--clip-frames",
            defaultValue = "12",
            description = "Frames of the rendered clip the cameras loop over (default ${DEFAULT-VALUE})")
    int clipFrames;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the table as JSON")
    Path json;

    @Option(
            names = "--trace",
            paramLabel = "FILE",
            description = "Write every measured decision as a CSV line (row, camera, capture time in the row, latency"
                    + " and its two parts in ms): where in time the slow ones are")
    Path trace;

    private final List<String> traceLines = new ArrayList<>();

    /** One row's measurements. */
    private record Row(
            int cameras,
            String gating,
            int embedThreads,
            int framesSent,
            int facesSent,
            EmbedMetrics.Totals embed,
            List<Long> latencies,
            Stages stages,
            int hits) {}

    /**
     * The latency of each decision in two parts, in ms: frame captured → its faces visible on {@code facestream.faces}
     * (the embed service: queue, detect, align, embed, its transaction) and faces visible → decision visible on
     * {@code facestream.matches} (the match service: poll, track, search, its transaction). Both are read by
     * {@code read_committed} consumers in this process, as a downstream application would.
     */
    private record Stages(List<Long> embed, List<Long> match, List<Decided> decided) {
        Stages() {
            this(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        }

        void addAll(Stages other) {
            embed.addAll(other.embed);
            match.addAll(other.match);
            decided.addAll(other.decided);
        }

        /** {@code --trace} lines: row, camera, capture ms since the row's first, latency, its two parts (ms). */
        List<String> trace(String row) {
            long first = decided.stream().mapToLong(Decided::captureUs).min().orElse(0);
            List<String> lines = new ArrayList<>();
            for (int i = 0; i < decided.size(); i++) {
                Decided d = decided.get(i);
                lines.add(String.join(
                        ",",
                        row,
                        d.camera(),
                        Long.toString((d.captureUs() - first) / 1000),
                        Long.toString(embed.get(i) + match.get(i)),
                        Long.toString(embed.get(i)),
                        Long.toString(match.get(i))));
            }
            return lines;
        }
    }

    /** A decision read back: its camera, the capture time of its face (µs) and when it was read (ms). */
    private record Decided(String camera, long captureUs, long readMillis) {}

    @Override
    public Integer call() throws Exception {
        if (fps <= 0
                || seconds <= 0
                || gallery < 0
                || rounds < 1
                || clipFrames < 2
                || warmupSeconds < 1
                || settleSeconds < 0
                || detectThreads < 0
                || cameraCounts.stream().anyMatch(c -> c < 1)
                || embedThreads.stream().anyMatch(t -> t < 0)) {
            throw new IllegalArgumentException(
                    "--fps, --seconds, --warmup-seconds, --rounds and every --cameras count must be positive,"
                            + " --clip-frames at least 2,"
                            + " --gallery, --settle-seconds, --detect-threads and --embed-threads at least 0");
        }
        double loadAtStart = loadAverage();
        Path work = Files.createTempDirectory("facestream-bench-e2e-");
        Map<String, Object> flags = new LinkedHashMap<>();
        flags.put("kafka.data-dir", work.resolve("kafka").toString());
        flags.put("kafka.port", 0);
        flags.put("api.port", 0);
        flags.put("api.keys.bench.key", "bench-e2e-key-" + Long.toHexString(System.nanoTime()));
        flags.put("api.audit-log", work.resolve("audit.log").toString());
        flags.put("api.key-store", work.resolve("api-keys.json").toString());
        flags.put("api.upload-dir", work.resolve("uploads").toString());
        flags.put("gallery.index-dir", work.resolve("gallery").toString());
        flags.put("match.state-dir", work.resolve("match-state").toString());
        flags.put("embed.service.state-dir", work.resolve("embed-state").toString());
        // each row starts its own embed service (its gating mode); the all-in-one runs broker and match
        flags.put("embed.service.enabled", false);
        flags.put("embed.service.mode", "live");
        flags.put("embed.service.catch-up.enabled", false);
        flags.put("embed.service.detect-threads", detectThreads);
        // every face its own decision: a track closes before the camera's next frame, confident on its first face
        flags.put("match.provisional.min-faces", 1);
        flags.put("match.track.close-after", Math.max(1, Math.round(500 / fps)) + "ms");
        flags.put("match.track.reorder-window", "1ms");
        CameraConfig detection = CameraConfig.parse(detector);
        FacestreamConfig config = options.load(flags).with(detection.overrides());
        FacestreamPaths paths = FacestreamPaths.of(config);
        System.err.println("bench e2e: preparing the " + clipFrames + "-frame clip in " + paths.cache("bench"));
        PipelineFootage clip = PipelineFootage.cached(paths.cache(), clipFrames, paths.sharedOrNull());
        ModelManifest embedder = ModelZoo.resolve(
                        ModelZoo.store(config), FaceSettings.from(config).embedder())
                .manifest();
        ModelZoo.ensure(ModelZoo.store(config), config.getString("face.detector"));
        ModelVersion model = new ModelVersion(embedder.name(), embedder.version());
        String watchlist = config.getString("match.gallery");

        List<Row> rows = new ArrayList<>();
        String run = Long.toHexString(System.currentTimeMillis());
        try (AllInOne all = AllInOne.start(config)) {
            all.service(MatchService.class).orElseThrow().awaitRunning(Duration.ofMinutes(2));
            KafkaConnection kafka = all.connection();
            String bootstrap = all.bootstrapServers();
            Map<String, float[]> people = enrol(kafka, bootstrap, config, clip, "enrol-" + run);
            long t0 = System.nanoTime();
            int dim = people.values().iterator().next().length;
            publishGallery(kafka, watchlist, model, dim, people);
            System.err.printf(
                    "bench e2e: %d random templates (%d-d) and %d people published in %.0f s%n",
                    gallery, dim, people.size(), (System.nanoTime() - t0) / 1e9);
            awaitGallery(kafka, bootstrap, config, clip, "ready-" + run);
            awaitMerged(all.service(MatchService.class).orElseThrow(), config);
            settle(kafka, bootstrap, config, clip, "settle-" + run);
            for (int round = 0; round < rounds; round++) {
                for (int n : cameraCounts) {
                    for (String gating : gatings) {
                        for (int threads : embedThreads) {
                            Row r = row(
                                    kafka,
                                    bootstrap,
                                    config,
                                    clip,
                                    n,
                                    gating,
                                    threads,
                                    "e2e-" + run + "-" + round + "-" + n + "-" + rows.size());
                            rows.add(r);
                            System.err.printf(
                                    "bench e2e: round %d, %d camera(s), gating %s, embed threads %d: %d decisions%n",
                                    round + 1, n, gating, threads, r.latencies().size());
                        }
                    }
                }
            }
        }
        Table table = new Table(
                "end-to-end latency, real detection: frame in -> match out (PROVISIONAL decision of each face)",
                "cameras",
                "gating",
                "embed threads",
                "offered frames/s",
                "frames offered",
                "frames embedded",
                "frames skipped (late)",
                "faces in the frames",
                "decisions n",
                "HIT %",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "p99 ms per round",
                "frame -> faces p50 / p99 ms",
                "faces -> decision p50 / p99 ms");
        for (int n : cameraCounts) {
            for (String gating : gatings) {
                for (int threads : embedThreads) {
                    List<Row> mine = rows.stream()
                            .filter(r -> r.cameras() == n && r.gating().equals(gating) && r.embedThreads() == threads)
                            .toList();
                    long[] l = mine.stream()
                            .flatMap(r -> r.latencies().stream())
                            .mapToLong(Long::longValue)
                            .sorted()
                            .toArray();
                    long skipped = mine.stream()
                            .mapToLong(r -> r.embed().skippedLate())
                            .sum();
                    long embedded = mine.stream()
                            .mapToLong(r -> r.embed().frames() - r.embed().skippedLate())
                            .sum();
                    int hits = mine.stream().mapToInt(Row::hits).sum();
                    Stages stages = new Stages();
                    mine.forEach(r -> stages.addAll(r.stages()));
                    table.row(
                            n,
                            gating,
                            threads == 0 ? "auto" : threads,
                            n * fps,
                            mine.stream().mapToInt(Row::framesSent).sum(),
                            embedded,
                            skipped,
                            mine.stream().mapToInt(Row::facesSent).sum(),
                            l.length,
                            l.length == 0 ? "-" : Math.round(1000.0 * hits / l.length) / 10.0,
                            ms(percentile(l, 0.5)),
                            ms(percentile(l, 0.95)),
                            ms(percentile(l, 0.99)),
                            ms(l.length == 0 ? -1 : l[l.length - 1]),
                            perRound(mine),
                            split(stages.embed()),
                            split(stages.match()));
                }
            }
        }
        table.note(
                        "frames",
                        "the rendered corridor clip (" + clip.frames().size() + " frames 640x480, "
                                + Math.round(clip.facesPerFrame() * 10) / 10.0
                                + " faces a frame), each camera from its own point; " + detection.describe() + " + "
                                + model + " on "
                                + config.getString("face.device"))
                .note("gallery", gallery + " random unit vectors + the clip's people, one template each")
                .note("detect threads", detectThreads == 0 ? "one per core" : Integer.toString(detectThreads))
                .note("cores", Runtime.getRuntime().availableProcessors())
                .note("load average (1 min) at the start / at the end", loadAtStart + " / " + loadAverage())
                .note("commit", BenchMachine.commit())
                .note(
                        "frame -> faces, faces -> decision",
                        "each decision's latency in two: until its frame's faces were visible on facestream.faces, then"
                                + " until the decision was visible on facestream.matches (read_committed consumers in"
                                + " this process; n = decisions whose faces were seen)")
                .note(
                        "p50, p95, p99, max",
                        "over every round's decisions together; p99 ms per round: each round's own, n per round ="
                                + " decisions n / rounds")
                .note("seconds per row", seconds)
                .note("warm-up per row", warmupSeconds + " s at the row's camera count, not measured")
                .note(
                        "settling before the first round",
                        settleSeconds + " s of load at the largest camera count, not measured (the JVM's compiler)")
                .note("rounds", rounds);
        table.print(System.out);
        Table.writeJson(json, List.of(table));
        if (trace != null) {
            List<String> csv = new ArrayList<>();
            csv.add("row,camera,capture_ms,latency_ms,frame_to_faces_ms,faces_to_decision_ms");
            csv.addAll(traceLines);
            Files.write(trace, csv);
        }
        return 0;
    }

    /**
     * The clip's people as the embedder sees them: one pass of the clip with its ground-truth faces given
     * ({@code fs.faces}), each person's unit embeddings averaged.
     */
    private Map<String, float[]> enrol(
            KafkaConnection kafka, String bootstrap, FacestreamConfig config, PipelineFootage clip, String camera)
            throws Exception {
        Map<String, float[]> sums = new TreeMap<>();
        // rejected faces written too (marked), so that every given face is accounted for; only accepted ones count
        try (EmbedService embed =
                        EmbedService.start(config.with(Map.of("embed.service.keep-rejected", true)), bootstrap);
                KafkaConsumer<String, byte[]> faces = fromNow(kafka, TopicCatalog.FACES);
                KafkaProducer<String, byte[]> producer =
                        new KafkaProducer<>(KafkaClients.producer(kafka, "bench-e2e-enrol"))) {
            for (int k = 0; k < clip.frames().size(); k++) {
                PipelineFootage.ClipFrame f = clip.frames().get(k);
                ProducerRecord<String, byte[]> r = frame(camera, k, f.jpeg());
                r.headers().add(FrameHeaders.FACES, f.facesJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                producer.send(r);
            }
            producer.flush();
            int expected = clip.faceCount();
            int seen = 0;
            long until = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (seen < expected && System.nanoTime() < until) {
                for (ConsumerRecord<String, byte[]> r : faces.poll(Duration.ofMillis(200))) {
                    if (!camera.equals(r.key())) {
                        continue;
                    }
                    FaceObservation o = FaceObservation.parseFrom(r.value());
                    if (o.hasProgress() || o.getGivenLabel().isEmpty()) {
                        continue;
                    }
                    seen++;
                    if (o.getRejected()) {
                        continue;
                    }
                    float[] v = new float[o.getEmbeddingCount()];
                    for (int d = 0; d < v.length; d++) {
                        v[d] = o.getEmbedding(d);
                    }
                    Vectors.normalizeInPlace(v);
                    float[] sum = sums.computeIfAbsent(o.getGivenLabel(), l -> new float[v.length]);
                    for (int d = 0; d < v.length; d++) {
                        sum[d] += v[d];
                    }
                }
            }
            if (seen < expected) {
                throw new CommandFailed("enrolling the clip's people: " + seen + " of " + expected
                        + " faces came out of the embed service in 3 minutes; see its log above");
            }
        }
        Map<String, float[]> people = new TreeMap<>();
        sums.forEach((label, sum) -> {
            float[] unit = Vectors.normalizeInPlace(sum.clone());
            for (int d = 0; d < unit.length; d++) {
                unit[d] *= 20; // a raw feature's norm, as the model gives (the gallery stores raw features)
            }
            people.put(label, unit);
        });
        return people;
    }

    /** The watchlist: {@code --gallery} random templates, then the clip's people (last: their HIT means all is in). */
    private void publishGallery(
            KafkaConnection kafka, String watchlist, ModelVersion model, int dim, Map<String, float[]> people) {
        try (GalleryWriter writer = new GalleryWriter(kafka, TopicCatalog.GALLERY, "bench-e2e-gallery")) {
            writer.publish(
                    new GalleryChange.DefineGallery(new GalleryDefinition(watchlist, GalleryKind.SINGLE, Map.of())));
            Random random = new Random(20_261_203L);
            List<GalleryChange> chunk = new ArrayList<>();
            for (int i = 0; i < gallery; i++) {
                float[] v = new float[dim];
                for (int d = 0; d < dim; d++) {
                    v[d] = (float) random.nextGaussian();
                }
                Vectors.normalizeInPlace(v);
                for (int d = 0; d < dim; d++) {
                    v[d] *= (float) (10 + 20 * random.nextDouble());
                }
                chunk.add(new GalleryChange.PutSubject(new Subject(watchlist, "r" + i, "", Map.of())));
                chunk.add(new GalleryChange.PutMedium(new Medium(
                        watchlist, "r" + i, "m" + i, List.of(new Embedding(model, v)), List.of(), Map.of(), 0)));
                if (chunk.size() >= 4_000) {
                    writer.publishAll(chunk);
                    chunk.clear();
                }
            }
            people.forEach((label, v) -> {
                chunk.add(new GalleryChange.PutSubject(new Subject(watchlist, label, label, Map.of())));
                chunk.add(new GalleryChange.PutMedium(new Medium(
                        watchlist, label, label + "-clip", List.of(new Embedding(model, v)), List.of(), Map.of(), 0)));
            });
            writer.publishAll(chunk);
        }
    }

    /** Waits until the clip's people are HITs (the match service has replicated the whole gallery before them). */
    private void awaitGallery(
            KafkaConnection kafka, String bootstrap, FacestreamConfig config, PipelineFootage clip, String prefix)
            throws Exception {
        long t0 = System.nanoTime();
        long until = t0 + Duration.ofMinutes(10).toNanos();
        try (EmbedService embed = EmbedService.start(config, bootstrap)) {
            while (System.nanoTime() < until) {
                List<Long> latencies = new ArrayList<>();
                int[] hits = new int[1];
                load(kafka, clip, prefix + "-" + (System.nanoTime() - t0), 1, 2, latencies, new Stages(), hits);
                if (hits[0] > 0) {
                    System.err.printf(
                            "bench e2e: gallery searchable (the clip's people are HITs) after %.0f s%n",
                            (System.nanoTime() - t0) / 1e9);
                    return;
                }
            }
        }
        throw new CommandFailed("the clip's people were never a HIT in 10 minutes: the match service did not replicate"
                + " the gallery, or the enrolled templates do not match the detected faces; see the log above");
    }

    /**
     * Waits until the gallery replica's merges after the bulk load are over (and, with {@code
     * gallery.replica.idle-merge} on, until it has merged the index down): a gallery that has been quiet for a while,
     * and no merge competing with the rows for the cores.
     */
    private static void awaitMerged(MatchService match, FacestreamConfig config) throws InterruptedException {
        Duration after = config.getDuration("gallery.replica.idle-merge.after");
        int max = after.isZero() ? Integer.MAX_VALUE : config.getInt("gallery.replica.idle-merge.max-segments");
        var index = match.galleryIndex();
        long t0 = System.nanoTime();
        long until = t0 + after.plus(Duration.ofMinutes(10)).toNanos();
        while ((index.segments() > max || index.merging()) && System.nanoTime() < until) {
            Thread.sleep(500);
        }
        System.err.printf(
                "bench e2e: gallery index in %d segment(s), no merge running, after %.0f s (idle merge: %s)%n",
                index.segments(), (System.nanoTime() - t0) / 1e9, after.isZero() ? "off" : "after " + after);
    }

    /**
     * Waits until the embed service's group has read every frame and the match service every face, so that a row starts
     * on an idle system and not on the backlog of the row before it (an overloaded 8-camera row leaves seconds of
     * faces for the match service, which the next row would otherwise measure). One offset per partition is allowed
     * for the marker that ends a transaction on {@code facestream.faces}.
     */
    private static void awaitDrained(KafkaConnection kafka, FacestreamConfig config) throws Exception {
        Map<String, String> groups = Map.of(
                config.getString("embed.service.group-id"), TopicCatalog.FRAMES,
                config.getString("match.application-id"), TopicCatalog.FACES);
        long t0 = System.nanoTime();
        long until = t0 + Duration.ofMinutes(3).toNanos();
        long behind;
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClients.admin(kafka)) {
            do {
                behind = 0;
                for (Map.Entry<String, String> g : groups.entrySet()) {
                    for (long lag : GroupLag.of(
                                    admin,
                                    g.getKey(),
                                    g.getValue(),
                                    org.apache.kafka.common.IsolationLevel.READ_COMMITTED)
                            .values()) {
                        behind += lag > 1 ? lag : 0;
                    }
                }
                if (behind > 0) {
                    Thread.sleep(250);
                }
            } while (behind > 0 && System.nanoTime() < until);
        }
        if (behind > 0) {
            throw new CommandFailed("the embed and match services still had " + behind + " records to read after 3"
                    + " minutes without load; see their log above");
        }
        System.err.printf("bench e2e: drained in %.1f s%n", (System.nanoTime() - t0) / 1e9);
    }

    /** A row's embed service: its gating mode and embedding threads. */
    private static FacestreamConfig embedConfig(FacestreamConfig config, String gating, int threads) {
        return config.with(Map.of("face.gating.mode", gating, "embed.service.embed-threads", threads));
    }

    /** The one-time load before the rounds ({@code --settle-seconds}), with the first row's settings. */
    private void settle(
            KafkaConnection kafka, String bootstrap, FacestreamConfig config, PipelineFootage clip, String prefix)
            throws Exception {
        if (settleSeconds == 0) {
            return;
        }
        int n = cameraCounts.stream().mapToInt(Integer::intValue).max().orElseThrow();
        System.err.printf("bench e2e: settling: %d s of load at %d camera(s), not measured%n", settleSeconds, n);
        try (EmbedService embed =
                EmbedService.start(embedConfig(config, gatings.getFirst(), embedThreads.getFirst()), bootstrap)) {
            load(kafka, clip, prefix, n, settleSeconds, new ArrayList<>(), new Stages(), new int[1]);
        }
    }

    /** One row: a fresh embed service with the row's gating, the same warm-up, then the load. */
    private Row row(
            KafkaConnection kafka,
            String bootstrap,
            FacestreamConfig config,
            PipelineFootage clip,
            int n,
            String gating,
            int threads,
            String prefix)
            throws Exception {
        try (EmbedService embed = EmbedService.start(embedConfig(config, gating, threads), bootstrap)) {
            awaitDrained(kafka, config);
            load(kafka, clip, prefix + "-warm", n, warmupSeconds, new ArrayList<>(), new Stages(), new int[1]);
            EmbedMetrics.Totals before = embed.totals();
            List<Long> latencies = new ArrayList<>();
            Stages stages = new Stages();
            int[] hits = new int[1];
            int[] sent = load(kafka, clip, prefix, n, seconds, latencies, stages, hits);
            traceLines.addAll(stages.trace(prefix));
            EmbedMetrics.Totals after = embed.totals();
            EmbedMetrics.Totals delta = new EmbedMetrics.Totals(
                    after.frames() - before.frames(),
                    after.faces() - before.faces(),
                    after.rejected() - before.rejected(),
                    after.skippedLate() - before.skippedLate(),
                    after.deadLetters() - before.deadLetters(),
                    after.batches() - before.batches(),
                    after.inferenceNanos() - before.inferenceNanos(),
                    after.caughtUp() - before.caughtUp(),
                    after.catchUpExpired() - before.catchUpExpired());
            return new Row(n, gating, threads, sent[0], sent[1], delta, latencies, stages, hits[0]);
        }
    }

    /**
     * Sends {@code fps} frames/s on each of n cameras for the given seconds; collects the PROVISIONAL decisions'
     * latencies (µs), their two parts ({@link Stages}) and HITs; returns the frames and ground-truth faces sent.
     */
    private int[] load(
            KafkaConnection kafka,
            PipelineFootage clip,
            String prefix,
            int n,
            int secs,
            List<Long> latencies,
            Stages stages,
            int[] hits)
            throws Exception {
        List<Decided> decided = new ArrayList<>();
        try (ObservationLatency faces = new ObservationLatency(kafka, prefix + "-");
                KafkaConsumer<String, byte[]> matches = fromNow(kafka, TopicCatalog.MATCHES);
                KafkaProducer<String, byte[]> producer = new KafkaProducer<>(KafkaClients.producer(kafka, prefix))) {
            var values = JsonSerde.match().deserializer();
            long periodNanos = (long) (1e9 / fps);
            long start = System.nanoTime();
            int frames = (int) Math.round(secs * fps);
            int size = clip.frames().size();
            int sent = 0;
            int facesSent = 0;
            for (int k = 0; k < frames; k++) {
                long due = start + k * periodNanos;
                while (System.nanoTime() < due) {
                    drain(
                            matches,
                            values,
                            prefix,
                            latencies,
                            decided,
                            hits,
                            Duration.ofMillis(Math.max(1, (due - System.nanoTime()) / 1_000_000)));
                }
                for (int c = 0; c < n; c++) {
                    PipelineFootage.ClipFrame f = clip.frames().get((k + c * size / n) % size);
                    producer.send(frame(prefix + "-" + c, k, f.jpeg()));
                    sent++;
                    facesSent += f.faces().size();
                }
                producer.flush();
            }
            // what is still in the system when the load ends: at most max-lag of frames, then their decisions
            long until = System.nanoTime() + Duration.ofSeconds(15).toNanos();
            long quietSince = System.nanoTime();
            while (System.nanoTime() < until
                    && System.nanoTime() - quietSince < Duration.ofSeconds(3).toNanos()) {
                int before = latencies.size();
                drain(matches, values, prefix, latencies, decided, hits, Duration.ofMillis(200));
                if (latencies.size() > before) {
                    quietSince = System.nanoTime();
                }
            }
            for (Decided d : decided) {
                // the faces probe reads on its own thread: by now it has seen every face a decision was made on
                Long visible = faces.visibleAt(d.camera(), d.captureUs());
                if (visible != null) {
                    long embedPart = visible - d.captureUs() / 1000;
                    stages.embed().add(embedPart);
                    stages.match().add(Math.max(0, d.readMillis() - visible));
                    stages.decided().add(d);
                }
            }
            return new int[] {sent, facesSent};
        }
    }

    private static void drain(
            KafkaConsumer<String, byte[]> matches,
            org.apache.kafka.common.serialization.Deserializer<Match> values,
            String prefix,
            List<Long> latencies,
            List<Decided> decided,
            int[] hits,
            Duration wait) {
        for (ConsumerRecord<String, byte[]> r : matches.poll(wait)) {
            long nowMs = System.currentTimeMillis();
            long nowUs = nowMs * 1000;
            if (r.key() != null && r.key().startsWith(prefix + "-")) {
                Match m = values.deserialize(r.topic(), r.value());
                if (m.stage() == Match.Stage.PROVISIONAL) {
                    latencies.add(nowUs - m.endTsUs());
                    decided.add(new Decided(m.cameraId(), m.endTsUs(), nowMs));
                    if (m.decision() == Match.Decision.HIT) {
                        hits[0]++;
                    }
                }
            }
        }
    }

    private static ProducerRecord<String, byte[]> frame(String camera, long seq, byte[] jpeg) {
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(TopicCatalog.FRAMES, camera, jpeg);
        r.headers().add(FrameHeaders.SEQ, FrameHeaders.encodeLong(seq));
        r.headers().add(FrameHeaders.CAPTURE_TS, FrameHeaders.encodeLong(System.currentTimeMillis() * 1000));
        return r;
    }

    private static KafkaConsumer<String, byte[]> fromNow(KafkaConnection kafka, String topic) {
        KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(KafkaClients.consumer(kafka, null));
        List<TopicPartition> parts = c.partitionsFor(topic).stream()
                .map(p -> new TopicPartition(topic, p.partition()))
                .toList();
        c.assign(parts);
        c.seekToEnd(parts);
        parts.forEach(c::position);
        return c;
    }

    private static double loadAverage() {
        return Math.round(java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                                .getSystemLoadAverage()
                        * 100)
                / 100.0;
    }

    private static long percentile(long[] sorted, double q) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }

    /** Each round's own p99 (ms), in round order: the spread the pooled percentiles hide. */
    private static String perRound(List<Row> rounds) {
        return String.join(
                ", ",
                rounds.stream()
                        .map(r -> {
                            long[] l = r.latencies().stream()
                                    .mapToLong(Long::longValue)
                                    .sorted()
                                    .toArray();
                            return String.valueOf(ms(percentile(l, 0.99)));
                        })
                        .toList());
    }

    /** "p50 / p99" of the ms values, or "-" when there are none. */
    private static String split(List<Long> millis) {
        long[] sorted = millis.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted.length == 0 ? "-" : percentile(sorted, 0.5) + " / " + percentile(sorted, 0.99);
    }

    private static Object ms(long micros) {
        return micros < 0 ? "-" : Math.round(micros / 100.0) / 10.0;
    }
}
