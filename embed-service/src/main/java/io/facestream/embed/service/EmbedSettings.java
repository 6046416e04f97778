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
        int cropJpegQuality) {

    public static EmbedSettings from(FacestreamConfig c) {
        String instance = c.getString("embed.service.instance-id", "").trim();
        if (instance.isEmpty()) {
            instance = defaultInstanceId();
        }
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
                c.getInt("embed.service.crop-jpeg-quality"));
    }

    /** Host name based, so that the same machine restarting gets the same transactional id. */
    static String defaultInstanceId() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9._-]", "_");
        } catch (java.net.UnknownHostException e) {
            return "embed-0";
        }
    }

    public String transactionalId() {
        return groupId + "-" + instanceId;
    }
}
