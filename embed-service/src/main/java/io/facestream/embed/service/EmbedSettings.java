package io.facestream.embed.service;

import io.facestream.core.config.FacestreamConfig;
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
        java.nio.file.Path stateDir) {

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
                default -> throw new IllegalArgumentException("embed.service.future-frames must be clamp or dead-letter, not '" + value + "'");
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
                c.getPath("embed.service.state-dir"));
    }

    EmbedSettings withInstanceId(String id) {
        return new EmbedSettings(groupId, id, mode, maxLag, maxBatch, maxWait, maxFrameBytes, qualityThreshold, keepRejected,
                cropJpegQuality, maxClockSkew, futureFrames, maxGivenFaces, stateDir);
    }

    public String transactionalId() {
        return groupId + "-" + instanceId;
    }
}
