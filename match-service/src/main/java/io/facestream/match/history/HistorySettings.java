package io.facestream.match.history;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.topics.TopicCatalog;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The match history's settings ({@code match.history.*}).
 *
 * @param dir              the Lucene index: {@code <match.state-dir>/history}, beside the topology's state
 * @param commitInterval   how often the index and the consumed offsets are committed together
 * @param maxPage          the largest page a query may ask for
 * @param sweepInterval    how often decisions past the topic's retention are deleted and unknown faces dropped
 * @param retention        {@code facestream.matches}' {@code retention.ms}: the history keeps no decision longer
 * @param unknownRetention {@code privacy.unknown-retention}: how long a decision other than HIT keeps its best face
 */
public record HistorySettings(
        boolean enabled,
        Path dir,
        Duration commitInterval,
        int maxPage,
        Duration sweepInterval,
        Duration retention,
        Duration unknownRetention) {

    public static HistorySettings fromConfig(FacestreamConfig config) {
        String retentionMs = TopicCatalog.fromConfig(config)
                .get(TopicCatalog.MATCHES)
                .configs()
                .get("retention.ms");
        return new HistorySettings(
                config.getBoolean("match.history.enabled"),
                config.getPath("match.state-dir").resolve("history"),
                config.getDuration("match.history.commit-interval"),
                config.getInt("match.history.max-page"),
                config.getDuration("match.history.sweep-interval"),
                retentionMs == null || Long.parseLong(retentionMs) < 0
                        ? Duration.ofDays(365_000) // retention.ms -1: the topic keeps everything, so may the history
                        : Duration.ofMillis(Long.parseLong(retentionMs)),
                config.getDuration("privacy.unknown-retention"));
    }

    /** The same settings with the index in {@code dir}. */
    public HistorySettings withDir(Path dir) {
        return new HistorySettings(enabled, dir, commitInterval, maxPage, sweepInterval, retention, unknownRetention);
    }
}
