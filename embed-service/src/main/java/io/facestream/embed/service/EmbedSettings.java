package io.facestream.embed.service;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.topics.TopicCatalog;
import java.time.Duration;

/**
 * Settings of the frames → faces service, read once from {@code embed.service.*}. The face pipeline itself (detector,
 * embedder, device, threads, batch size, pixel limit) is configured by {@code face.*} ({@code FaceSettings}).
 *
 * @param groupId         consumer group; more instances in the group = more throughput (one partition each at most)
 * @param instanceId      this instance's name; part of the transactional id, so a restarted instance fences its
 *                        predecessor's zombie producer
 * @param mode            live or complete
 * @param maxLag          live mode: frames whose capture time is older than this are skipped
 * @param maxBatch        faces per inference call (the pipeline's {@code face.batch-size})
 * @param maxWait         longest a face waits for its batch to fill
 * @param maxFrameBytes   larger frames go to the DLQ undecoded
 * @param qualityThreshold minimum feature norm; negative = the model manifest's default
 * @param keepRejected    write quality-rejected faces with {@code rejected=true} instead of only counting them
 * @param cropJpegQuality JPEG quality of the stored 112×112 crop
 * @param maxClockSkew    how far a frame's capture time may lie ahead of this host's clock
 * @param futureFrames    what happens to a frame further ahead: clamped to this host's clock, or dead-lettered
 * @param maxGivenFaces   a frame with more given faces ({@code fs.faces}) goes to the DLQ
 * @param stateDir        where the instance id is kept when {@code instance-id} is not set
 * @param progress        the camera progress records written between the faces ({@code embed.service.progress.*})
 * @param catchUp         the catch-up pass over frames the live path skipped as late ({@code embed.service.catch-up.*})
 * @param detectThreads   decode + detect + align workers, each with its own detector; 0 = one per core
 * @param embedThreads    threads a batch is embedded on ({@link EmbedThreads}); 0 = one per core on a CPU, one on a GPU
 * @param slowdown        testing knob: the service's frame and batch work is followed by a sleep of
 *                        {@code (slowdown − 1)} times its duration, so it runs at 1/slowdown of its speed (1 = off)
 */
public record EmbedSettings(
        String groupId,
        String instanceId,
        DeliveryMode mode,
        Duration maxLag,
        int maxBatch,
        Duration maxWait,
        int maxFrameBytes,
        double qualityThreshold,
        boolean keepRejected,
        int cropJpegQuality,
        Duration maxClockSkew,
        FutureFrames futureFrames,
        int maxGivenFaces,
        java.nio.file.Path stateDir,
        Progress progress,
        CatchUp catchUp,
        int detectThreads,
        int embedThreads,
        double slowdown) {

    public EmbedSettings {
        if (detectThreads < 0) {
            throw new IllegalArgumentException(
                    "embed.service.detect-threads must be 0 (one per core) or more, got " + detectThreads);
        }
        if (embedThreads < 0) {
            throw new IllegalArgumentException("embed.service.embed-threads must be 0 (one per core on a CPU, one on a"
                    + " GPU) or more, got " + embedThreads);
        }
        if (!(slowdown >= 1) || Double.isInfinite(slowdown)) {
            throw new IllegalArgumentException(
                    "embed.service.slowdown must be a finite number of at least 1, got " + slowdown);
        }
    }

    /**
     * Progress records: what a reader of the faces topic cannot see from the faces alone.
     *
     * @param enabled         write them (and mark faces {@code reports_progress}); off for a reader that does not know
     *                        them yet (a match service from before they existed dead-letters them)
     * @param frameInterval   a frame without faces gets a progress record when the camera's last record (face or
     *                        progress) is at least this much capture time older; 0 = every such frame
     * @param silenceInterval a camera whose frames partition has been read to its end without a frame of the camera for
     *                        this long (wall clock) is reported silent, and again at each further multiple
     * @param silenceMax      silence is reported until it lasts this long; then not again until the camera's next frame
     */
    public record Progress(boolean enabled, Duration frameInterval, Duration silenceInterval, Duration silenceMax) {
        public Progress {
            if (frameInterval.isNegative()) {
                throw new IllegalArgumentException(
                        "embed.service.progress.frame-interval must not be negative, got " + frameInterval);
            }
            if (silenceInterval.isNegative() || silenceInterval.isZero()) {
                throw new IllegalArgumentException(
                        "embed.service.progress.silence-interval must be positive, got " + silenceInterval);
            }
            if (silenceMax.compareTo(silenceInterval) < 0) {
                throw new IllegalArgumentException("embed.service.progress.silence-max (" + silenceMax
                        + ") must be at least silence-interval (" + silenceInterval + ")");
            }
        }

        static Progress from(FacestreamConfig c) {
            return new Progress(
                    c.getBoolean("embed.service.progress.enabled"),
                    c.getDuration("embed.service.progress.frame-interval"),
                    c.getDuration("embed.service.progress.silence-interval"),
                    c.getDuration("embed.service.progress.silence-max"));
        }
    }

    /**
     * The catch-up pass: live mode forwards each frame it skips as late to {@code facestream.late-frames}, and a second
     * consumer (group {@code <group-id>-catch-up}) embeds them while the live consumer has nothing to do.
     *
     * @param enabled   forward skipped frames and embed them; false = skipped frames are only counted, as before
     * @param maxAge    a forwarded frame whose capture time is older than this when the pass reaches it is dropped
     *                  (counted): no later than the frames topic's retention, which bounds how far back frames exist
     * @param batchSize frames per catch-up batch: the longest a live frame can wait behind the pass is one such batch
     */
    public record CatchUp(boolean enabled, Duration maxAge, int batchSize) {
        public CatchUp {
            if (maxAge.isNegative() || maxAge.isZero()) {
                throw new IllegalArgumentException("embed.service.catch-up.max-age must be positive, got " + maxAge);
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException(
                        "embed.service.catch-up.batch-size must be at least 1, got " + batchSize);
            }
        }

        /**
         * @throws IllegalArgumentException naming both settings when max-age reaches further back than the frames
         *                                  topic keeps frames (the pass would promise frames that are gone)
         */
        static CatchUp from(FacestreamConfig c) {
            CatchUp catchUp = new CatchUp(
                    c.getBoolean("embed.service.catch-up.enabled"),
                    c.getDuration("embed.service.catch-up.max-age"),
                    c.getInt("embed.service.catch-up.batch-size"));
            String retention = TopicCatalog.fromConfig(c)
                    .get(TopicCatalog.FRAMES)
                    .configs()
                    .get("retention.ms");
            if (retention != null
                    && Long.parseLong(retention) >= 0
                    && catchUp.maxAge().toMillis() > Long.parseLong(retention)) {
                Duration kept = Duration.ofMillis(Long.parseLong(retention));
                throw new IllegalArgumentException(
                        "embed.service.catch-up.max-age (" + catchUp.maxAge() + ") is longer than the "
                                + "retention of " + TopicCatalog.FRAMES + " (retention.ms, " + kept + "; "
                                + TopicCatalog.LATE_FRAMES
                                + " keeps frames as long): frames that old are deleted before the catch-up pass reaches them. "
                                + "Set embed.service.catch-up.max-age to at most " + kept + ", or keep frames longer");
            }
            return catchUp;
        }
    }

    /** What the service does with a frame whose capture time is further ahead than {@code max-clock-skew}. */
    public enum FutureFrames {
        /** Process it as captured now (counted, logged once a minute per camera). */
        CLAMP,
        /** Send it to the DLQ with the skew in the reason. */
        DEAD_LETTER;

        static FutureFrames parse(String value) {
            return switch (value.trim().toLowerCase().replace('_', '-')) {
                case "clamp" -> CLAMP;
                case "dead-letter" -> DEAD_LETTER;
                default ->
                    throw new IllegalArgumentException(
                            "embed.service.future-frames must be clamp or dead-letter, not '" + value + "'");
            };
        }
    }

    /** The settings; an empty {@code instance-id} is left empty here and claimed from the state directory at start. */
    public static EmbedSettings from(FacestreamConfig c) {
        String instance = c.getString("embed.service.instance-id", "").trim();
        return new EmbedSettings(
                c.getString("embed.service.group-id"),
                instance,
                DeliveryMode.parse(c.getString("embed.service.mode")),
                c.getDuration("embed.service.max-lag"),
                c.getInt("face.batch-size"),
                c.getDuration("embed.service.max-wait"),
                c.getInt("embed.service.max-frame-bytes"),
                c.getDouble("embed.service.quality-threshold"),
                c.getBoolean("embed.service.keep-rejected"),
                c.getInt("embed.service.crop-jpeg-quality"),
                c.getDuration("embed.service.max-clock-skew"),
                FutureFrames.parse(c.getString("embed.service.future-frames")),
                c.getInt("embed.service.max-given-faces"),
                c.getPath("embed.service.state-dir"),
                Progress.from(c),
                CatchUp.from(c),
                c.getInt("embed.service.detect-threads"),
                c.getInt("embed.service.embed-threads"),
                c.getDouble("embed.service.slowdown"));
    }

    EmbedSettings withInstanceId(String id) {
        return new EmbedSettings(
                groupId,
                id,
                mode,
                maxLag,
                maxBatch,
                maxWait,
                maxFrameBytes,
                qualityThreshold,
                keepRejected,
                cropJpegQuality,
                maxClockSkew,
                futureFrames,
                maxGivenFaces,
                stateDir,
                progress,
                catchUp,
                detectThreads,
                embedThreads,
                slowdown);
    }

    /** The catch-up pass's consumer group. */
    public String catchUpGroupId() {
        return groupId + "-catch-up";
    }

    public String transactionalId() {
        return groupId + "-" + instanceId;
    }
}
