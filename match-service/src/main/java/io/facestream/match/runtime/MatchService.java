package io.facestream.match.runtime;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.kafka.KafkaConnection;
import io.facestream.core.metrics.Metrics;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.embed.embedding.FaceEmbedder;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.model.ReleaseValidator;
import io.facestream.embed.model.zoo.ModelZoo;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.pipeline.FacePipeline;
import io.facestream.embed.pipeline.FaceSettings;
import io.facestream.gallery.Gallery;
import io.facestream.gallery.GallerySettings;
import io.facestream.match.api.ApiLimits;
import io.facestream.match.api.ApiRouter;
import io.facestream.match.api.ApiServer;
import io.facestream.match.api.CameraAdmin;
import io.facestream.match.api.GalleryAdmin;
import io.facestream.match.api.MatchRoutes;
import io.facestream.match.api.audit.AuditLog;
import io.facestream.match.api.auth.ApiKeys;
import io.facestream.match.api.auth.Guard;
import io.facestream.match.api.auth.RateLimiter;
import io.facestream.match.api.auth.Sessions;
import io.facestream.match.api.faces.FaceCrops;
import io.facestream.match.api.faces.LazyFaceReader;
import io.facestream.match.api.faces.PipelineFaceReader;
import io.facestream.match.api.live.MatchFeed;
import io.facestream.match.api.live.UnknownFeedbackSweeper;
import io.facestream.match.corrections.CorrectedSearch;
import io.facestream.match.corrections.Corrections;
import io.facestream.match.gallery.IndexedGallery;
import io.facestream.match.notify.Notifier;
import io.facestream.match.notify.NotifySettings;
import io.facestream.match.rollout.ReleaseFollower;
import io.facestream.match.rollout.Rollouts;
import io.facestream.match.topology.ManifestDimensions;
import io.facestream.match.topology.MatchStreams;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * match-service as one unit: the gallery replica (and writer), the model roll-out follower, the matching topology, the
 * match feed and the HTTP API with the page. {@code ./facestream match} and {@code ./facestream up} start it; close stops it in reverse.
 */
public final class MatchService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MatchService.class);

    private final Deque<AutoCloseable> parts = new ArrayDeque<>();
    private ApiServer api;
    private MatchStreams streams;
    private ApiKeys keys;
    private AuditLog audit;
    private String host;
    private java.util.List<io.facestream.match.api.RouteSpec> routes = java.util.List.of();
    private io.vertx.ext.web.Router router;
    private Gallery replica;
    private Notifier notifier;
    private FaceCrops faceCrops;
    private io.facestream.match.history.MatchHistory history;
    private volatile boolean closing;

    private MatchService() {}

    public static MatchService start(FacestreamConfig config, String bootstrap) {
        MatchService s = new MatchService();
        try {
            s.startParts(config, bootstrap);
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    private <T extends AutoCloseable> T own(T part) {
        parts.push(part);
        return part;
    }

    private void startParts(FacestreamConfig config, String bootstrap) {
        // the topic settings this service relies on must hold (faces kept no longer than privacy.unknown-retention)
        TopicCatalog.fromConfig(config);
        KafkaConnection kafka = KafkaConnection.fromConfig(config, bootstrap);
        GallerySettings gallerySettings = GallerySettings.fromConfig(config);
        Gallery replica = own(Gallery.open(gallerySettings, kafka));
        this.replica = replica;
        IndexedGallery gallery = new IndexedGallery(
                replica.index(), gallerySettings.search(), config.getDouble("match.default-threshold"));
        FaceSettings faceSettings = FaceSettings.from(config);
        ApiLimits limits = ApiLimits.from(config);
        ModelStore models = ModelZoo.store(config);
        LazyFaceReader faces = own(new LazyFaceReader(
                spec -> new PipelineFaceReader(
                        FacePipeline.open(faceSettings.withEmbedder(spec), name -> ModelZoo.resolve(models, name)),
                        limits.maxPixels()),
                faceSettings.embedder(),
                limits.maxPixels()));
        Rollouts rollouts = Rollouts.none();
        if (config.getBoolean("match.rollout.enabled")) {
            rollouts = Rollouts.over(replica.index());
            OnnxSessions sessions = new OnnxSessions(faceSettings.device(), faceSettings.intraOpThreads());
            own(ReleaseFollower.start(
                    kafka,
                    ModelZoo.nameOf(faceSettings.embedder()),
                    models,
                    replica,
                    rollouts,
                    model -> new FaceEmbedder(model, sessions, faceSettings.batchSize()),
                    config.getDuration("match.rollout.check-interval"),
                    v -> faces.use(v.name() + "@" + v.version()),
                    ReleaseValidator.fromConfig(config)));
        }

        // operators' feedback (negative exemplars) applies to the topology's decisions, not to /api/search
        Corrections corrections = own(Corrections.follow(kafka));
        try {
            if (!corrections.awaitCaughtUp(Duration.ofSeconds(30))) {
                LOG.warn(
                        "{} not read to its end within 30 s: the first decisions may miss operators' rejections",
                        io.facestream.core.topics.TopicCatalog.FEEDBACK);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(
                    "interrupted while reading " + io.facestream.core.topics.TopicCatalog.FEEDBACK, e);
        }
        streams = own(MatchStreams.start(
                config,
                bootstrap,
                new CorrectedSearch(gallery, corrections, config.getDouble("match.corrections.negative-margin")),
                rollouts,
                new ManifestDimensions(models)));
        NotifySettings notifySettings = NotifySettings.fromConfig(config, Clock.systemUTC());
        if (notifySettings.enabled()) {
            notifier = own(Notifier.start(
                    notifySettings, kafka, (g, subject) -> displayName(replica, g, subject), Clock.systemUTC()));
        }

        Duration unknownRetention = config.getDuration("privacy.unknown-retention");
        MatchFeed feed =
                own(new MatchFeed(kafka, config.getInt("api.recent-matches"), unknownRetention, Clock.systemUTC())
                        .withDeletedSubjects((g, s) -> deletedSubject(replica, g, s))
                        .start());
        io.facestream.match.history.HistorySettings historySettings =
                io.facestream.match.history.HistorySettings.fromConfig(config);
        if (historySettings.enabled()) {
            history = own(io.facestream.match.history.MatchHistory.start(
                    historySettings, kafka, (g, s) -> deletedSubject(replica, g, s), Clock.systemUTC()));
        }
        FaceCrops faceCrops = own(new FaceCrops(
                kafka, config.getInt("api.crops.readers"), config.getInt("api.crops.cache"), feed::isRecentBestFace));
        this.faceCrops = faceCrops;
        io.facestream.match.reid.TrackTemplates.Settings reidSettings =
                io.facestream.match.reid.TrackTemplates.Settings.fromConfig(config);
        io.facestream.match.reid.TrackTemplates reid = null;
        if (reidSettings.enabled()) {
            reid = own(new io.facestream.match.reid.TrackTemplates(
                    reidSettings,
                    faceCrops::observation,
                    (g, s) -> deletedSubject(replica, g, s),
                    unknownRetention,
                    Clock.systemUTC()));
            feed.listenAll(reid::offer); // past tracks are seen elsewhere too
        }
        if (config.getBoolean("api.crops.prefetch")) {
            // live decisions only (the review shows all their best faces): the replay of the topic at start would
            // queue a read for each of the newest 10,000 decisions' faces, most of which nobody looks at again
            feed.listen(m -> m.bestFaces().forEach(faceCrops::prefetch));
        }
        Producer<String, byte[]> feedback =
                own(new KafkaProducer<>(KafkaClients.producer(kafka, "facestream-match-feedback")));
        own(Metrics.bind(feedback)); // closed before the producer: parts close in reverse order
        own(UnknownFeedbackSweeper.start(kafka, feedback, unknownRetention, Clock.systemUTC()));
        io.facestream.match.api.StaleUploads.remove(limits.uploadDirectory());
        keys = ApiKeys.from(config);
        ApiServer.Tls tls = ApiServer.Tls.from(config);
        audit = own(new AuditLog(config.getPath("api.audit-log")));
        GalleryAdmin admin = new GalleryAdmin(replica, gallery)
                // feedback first: a failure there leaves the subject in place, so the same delete can be retried
                .erasingFirst(new io.facestream.match.api.FeedbackEraser(kafka, feedback, replica.segmentRoll())::erase)
                // the tombstones reach every instance's corrections follower; this one need not wait for them
                .erasingFirst(corrections::forget)
                .erasingAfter(feed::erase);
        if (history != null) {
            admin.erasingAfter(history::erase);
        }
        if (reid != null) {
            admin.erasingAfter(reid::erase);
        }
        own(GalleryMeters.start(replica.index()));
        // the API's HTTP server meters (vertx_http_server_*) go to the process's one registry; the JVM's are bound
        // there already
        Vertx vertx = Vertx.builder()
                .with(new VertxOptions()
                        .setMetricsOptions(
                                new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(false)))
                .withMetrics(new MicrometerMetricsFactory(Metrics.registry()))
                .build();
        io.facestream.core.health.HealthRegistry own = new io.facestream.core.health.HealthRegistry();
        registerHealth(own, "");
        Guard guard =
                new Guard(keys, new Sessions(config.getDuration("api.session.ttl")), RateLimiter.from(config), audit);
        ApiRouter router = new ApiRouter(admin, faces, guard, limits, tls != null).withHealth(own);
        CameraAdmin cameras = null;
        try {
            cameras = own(new CameraAdmin(kafka));
        } catch (IllegalStateException e) {
            // the API still serves everything else; the camera routes answer 503 until the ACLs are there
            LOG.error(
                    "cameras at run time are off: {} (the match user needs Read, Write and Describe on {} and Read and"
                            + " Describe on {}, docs/security.md)",
                    e.getMessage(),
                    io.facestream.core.topics.TopicCatalog.CAMERAS,
                    io.facestream.core.topics.TopicCatalog.CAMERA_STATUS);
        }
        this.router = router.build(
                vertx,
                new MatchRoutes(feed, faceCrops, feedback)
                        .withCameras(cameras)
                        .withHistory(history)
                        .withReid(reid, reidSettings.window())
                        .withCorrections(corrections, admin, config));
        this.routes = router.routes();
        host = config.getString("api.host");
        api = own(ApiServer.start(vertx, this.router, host, config.getInt("api.port"), tls));
        LOG.info("match-service up: API and page on {} (gallery '{}')", apiUrl(), config.getString("match.gallery"));
    }

    /** The display name of a subject of this replica's gallery, for notifications; empty when none or not a name. */
    private static java.util.Optional<String> displayName(Gallery replica, String gallery, String subject) {
        try {
            return replica.subject(new io.facestream.gallery.model.GalleryKey.OfSubject(gallery, subject))
                    .map(io.facestream.gallery.model.Subject::displayName)
                    .filter(n -> !n.isBlank());
        } catch (RuntimeException notAName) {
            return java.util.Optional.empty();
        }
    }

    /** A subject a decision names that this replica's gallery has, but not the subject: it was deleted. */
    private static boolean deletedSubject(Gallery replica, String gallery, String subject) {
        try {
            return replica.kindOf(gallery).isPresent()
                    && !replica.index()
                            .hasSubject(new io.facestream.gallery.model.GalleryKey.OfSubject(gallery, subject));
        } catch (RuntimeException notAName) {
            return false;
        }
    }

    public int apiPort() {
        return api.port();
    }

    /** Where the page is: {@code http(s)://HOST:PORT/} ({@code localhost} for a loopback or wildcard address). */
    public String apiUrl() {
        String h = host.equals("0.0.0.0") || host.equals("::") || host.startsWith("127.") || host.equals("::1")
                ? "localhost"
                : host;
        return (api.tls() ? "https" : "http") + "://" + (h.contains(":") ? "[" + h + "]" : h) + ":" + api.port() + "/";
    }

    /** Every route with its role, rate-limit class and audit action (the security matrix test walks them). */
    public java.util.List<io.facestream.match.api.RouteSpec> routes() {
        return routes;
    }

    public AuditLog audit() {
        return audit;
    }

    /** The API's routes, for the test that keeps /openapi.yaml true. */
    public io.vertx.ext.web.Router router() {
        return router;
    }

    public ApiKeys keys() {
        return keys;
    }

    public MatchStreams streams() {
        return streams;
    }

    /**
     * The matching topology: UP while RUNNING; DOWN while starting or rebalancing (it recovers by itself); FAILED in
     * ERROR, or when it stopped without being asked to.
     */
    public io.facestream.core.health.Health topologyHealth() {
        var state = streams.state();
        return switch (state) {
            case RUNNING -> io.facestream.core.health.Health.up("RUNNING");
            case CREATED, REBALANCING -> io.facestream.core.health.Health.down(state.name());
            case PENDING_SHUTDOWN, NOT_RUNNING ->
                closing
                        ? io.facestream.core.health.Health.down(state.name())
                        : io.facestream.core.health.Health.failed("the matching topology stopped (" + state + ")");
            case PENDING_ERROR, ERROR ->
                io.facestream.core.health.Health.failed("the matching topology failed (" + state + ")");
        };
    }

    /** The gallery replica this service searches (see {@code Gallery.replicationHealth}). */
    /** This process's gallery replica's index (tools and benchmarks: its segments, its merges). */
    public io.facestream.gallery.index.GalleryIndex galleryIndex() {
        return replica.index();
    }

    public io.facestream.core.health.Health galleryHealth() {
        return replica.replicationHealth();
    }

    /**
     * Registers this service's parts as {@code <prefix>topology} and {@code <prefix>gallery}, {@code <prefix>notify}
     * when notifications are on and {@code <prefix>history} when the match history is.
     */
    public void registerHealth(io.facestream.core.health.HealthRegistry health, String prefix) {
        health.register(prefix + "topology", this::topologyHealth);
        health.register(prefix + "gallery", this::galleryHealth);
        if (notifier != null) {
            health.register(prefix + "notify", this::notifyHealth);
        }
        if (history != null) {
            health.register(prefix + "history", history::health);
        }
    }

    /** The notifier: UP while it follows the decisions, FAILED once it stopped on an error (the error says which). */
    public io.facestream.core.health.Health notifyHealth() {
        Exception failed = notifier == null ? null : notifier.failure();
        return failed == null
                ? io.facestream.core.health.Health.up(notifier == null ? "off" : "following facestream.matches")
                : io.facestream.core.health.Health.failed("notifications stopped: " + failed.getMessage());
    }

    /** Whether face {@code faceRef}'s crop is in memory (read ahead or asked for); the page's tests wait for it. */
    public boolean faceCropCached(String faceRef) {
        return faceCrops.isCached(faceRef);
    }

    /** Face crops served from memory and read from facestream.faces since start (the page's tests check the cache). */
    public long[] faceCropHitsAndReads() {
        return faceCrops.hitsAndReads();
    }

    /** The notifier, or null when no notification is configured. */
    public Notifier notifier() {
        return notifier;
    }

    /** The match history, or null when {@code match.history.enabled} is false. */
    public io.facestream.match.history.MatchHistory history() {
        return history;
    }

    /** Waits until the topology is RUNNING (tests, demo). */
    public void awaitRunning(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!streams.isRunning()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "matching topology not RUNNING after " + timeout + " (state " + streams.state() + ")");
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        closing = true;
        while (!parts.isEmpty()) {
            AutoCloseable p = parts.pop();
            try {
                p.close();
            } catch (Exception e) {
                LOG.warn("error while stopping {}: {}", p.getClass().getSimpleName(), e.toString());
            }
        }
    }
}
