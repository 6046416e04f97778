package io.facestream.gallery;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.replication.ReplicaSettings;
import io.facestream.gallery.search.SearchTuning;
import java.nio.file.Path;
import java.time.Duration;

/** Everything a {@link Gallery} needs besides the broker, read from the {@code gallery.*} config keys. */
public record GallerySettings(
        Path indexDir,
        double ramBufferMb,
        HnswSettings hnsw,
        SearchTuning search,
        ReplicaSettings replica,
        Duration applyTimeout) {

    public static GallerySettings fromConfig(FacestreamConfig c) {
        return new GallerySettings(
                c.getPath("gallery.index-dir"),
                c.getDouble("gallery.ram-buffer-mb"),
                new HnswSettings(
                        c.getInt("gallery.hnsw.m"),
                        c.getInt("gallery.hnsw.beam-width"),
                        HnswSettings.Quantization.parse(c.getString("gallery.hnsw.quantization"))),
                new SearchTuning(
                        c.getInt("gallery.exact-threshold"),
                        c.getInt("gallery.hnsw.candidates"),
                        c.getInt("gallery.exact-threads")),
                new ReplicaSettings(
                                TopicCatalog.GALLERY,
                                c.getDuration("gallery.replica.commit-interval"),
                                c.getInt("gallery.replica.commit-max-records"),
                                Duration.ofMillis(100))
                        .withMergeDeletesAfter(c.getDuration("gallery.replica.merge-deletes-after"))
                        .withIdleMerge(new ReplicaSettings.IdleMerge(
                                c.getDuration("gallery.replica.idle-merge.after"),
                                c.getInt("gallery.replica.idle-merge.max-segments"))),
                c.getDuration("gallery.replica.apply-timeout"));
    }

    /** The defaults with another index directory (tests, tools). */
    public static GallerySettings at(Path indexDir) {
        return fromConfig(FacestreamConfig.builder().isolated().build()).withIndexDir(indexDir);
    }

    public GallerySettings withIndexDir(Path dir) {
        return new GallerySettings(dir, ramBufferMb, hnsw, search, replica, applyTimeout);
    }

    public GallerySettings withReplica(ReplicaSettings r) {
        return new GallerySettings(indexDir, ramBufferMb, hnsw, search, r, applyTimeout);
    }

    public GallerySettings withSearch(SearchTuning s) {
        return new GallerySettings(indexDir, ramBufferMb, hnsw, s, replica, applyTimeout);
    }
}
