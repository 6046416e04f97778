package io.facestream.gallery.replication;

import java.time.Duration;

/**
 * When the replica commits: after {@code commitMaxRecords} applied records or {@code commitInterval}, whichever
 * comes first. A commit is the unit of durability: after a crash, everything after it is replayed from the topic.
 *
 * <p>How it heals: an IO error while applying is retried after {@code retryBackoffMin}, doubling up to
 * {@code retryBackoffMax}; every {@code topicCheckInterval} the replica asks the cluster whether the topic is still
 * the one it was built from (a re-created topic is rebuilt from its beginning).
 *
 * <p>Erasure: Lucene only marks deleted documents; their stored fields and terms stay in the segment files until a
 * merge rewrites them. At most {@code mergeDeletesAfter} after it applied a delete, the replica merges away every
 * deleted document ({@code forceMergeDeletes}) and commits, so a deleted person's vectors leave the disk too.
 *
 * <p>Search speed: every segment has its own HNSW graph and a search walks each of them, so an index that a bulk
 * enrolment left in several segments is searched several times over. Once the replica has applied nothing for
 * {@link IdleMerge#after()}, it merges the index down to {@link IdleMerge#maxSegments()} in the background.
 */
public record ReplicaSettings(
        String topic,
        Duration commitInterval,
        int commitMaxRecords,
        Duration pollTimeout,
        Duration retryBackoffMin,
        Duration retryBackoffMax,
        Duration topicCheckInterval,
        Duration mergeDeletesAfter,
        IdleMerge idleMerge) {
    public static final Duration MERGE_DELETES_AFTER = Duration.ofMinutes(1);
    /** Off: see docs/gallery.md, "Merged down when quiet". */
    public static final IdleMerge IDLE_MERGE = new IdleMerge(Duration.ZERO, 1);

    /**
     * Merging a quiet index down to few segments (searches walk one HNSW graph per segment).
     *
     * @param after       how long the replica must have applied nothing; 0 = never merge on idle
     * @param maxSegments the segments left by such a merge, at least 1
     */
    public record IdleMerge(Duration after, int maxSegments) {
        public IdleMerge {
            if (after.isNegative()) {
                throw new IllegalArgumentException("gallery.replica.idle-merge.after must be >= 0, got " + after);
            }
            if (maxSegments < 1) {
                throw new IllegalArgumentException(
                        "gallery.replica.idle-merge.max-segments must be >= 1, got " + maxSegments);
            }
        }

        public boolean enabled() {
            return !after.isZero();
        }
    }

    public static final Duration RETRY_BACKOFF_MIN = Duration.ofMillis(100);
    public static final Duration RETRY_BACKOFF_MAX = Duration.ofSeconds(10);
    public static final Duration TOPIC_CHECK_INTERVAL = Duration.ofSeconds(30);

    public ReplicaSettings {
        if (commitMaxRecords < 1) {
            throw new IllegalArgumentException("replica commit max-records " + commitMaxRecords + " must be >= 1");
        }
        if (retryBackoffMin.isNegative()
                || retryBackoffMin.isZero()
                || retryBackoffMax.compareTo(retryBackoffMin) < 0) {
            throw new IllegalArgumentException("replica retry backoff must be > 0 and min <= max, got "
                    + retryBackoffMin + ".." + retryBackoffMax);
        }
        if (topicCheckInterval.isNegative() || topicCheckInterval.isZero()) {
            throw new IllegalArgumentException("replica topic check interval must be > 0, got " + topicCheckInterval);
        }
        if (mergeDeletesAfter.isNegative()) {
            throw new IllegalArgumentException("replica merge-deletes-after must be >= 0, got " + mergeDeletesAfter);
        }
    }

    /** The default healing settings. */
    public ReplicaSettings(String topic, Duration commitInterval, int commitMaxRecords, Duration pollTimeout) {
        this(
                topic,
                commitInterval,
                commitMaxRecords,
                pollTimeout,
                RETRY_BACKOFF_MIN,
                RETRY_BACKOFF_MAX,
                TOPIC_CHECK_INTERVAL,
                MERGE_DELETES_AFTER,
                IDLE_MERGE);
    }

    public static ReplicaSettings defaults() {
        return new ReplicaSettings(
                io.facestream.core.topics.TopicCatalog.GALLERY, Duration.ofSeconds(5), 1000, Duration.ofMillis(100));
    }

    public ReplicaSettings withRetryBackoff(Duration min, Duration max) {
        return new ReplicaSettings(
                topic,
                commitInterval,
                commitMaxRecords,
                pollTimeout,
                min,
                max,
                topicCheckInterval,
                mergeDeletesAfter,
                idleMerge);
    }

    public ReplicaSettings withTopicCheckInterval(Duration interval) {
        return new ReplicaSettings(
                topic,
                commitInterval,
                commitMaxRecords,
                pollTimeout,
                retryBackoffMin,
                retryBackoffMax,
                interval,
                mergeDeletesAfter,
                idleMerge);
    }

    public ReplicaSettings withMergeDeletesAfter(Duration after) {
        return withMerges(after, idleMerge);
    }

    public ReplicaSettings withIdleMerge(IdleMerge merge) {
        return withMerges(mergeDeletesAfter, merge);
    }

    private ReplicaSettings withMerges(Duration deletesAfter, IdleMerge idle) {
        return new ReplicaSettings(
                topic,
                commitInterval,
                commitMaxRecords,
                pollTimeout,
                retryBackoffMin,
                retryBackoffMax,
                topicCheckInterval,
                deletesAfter,
                idle);
    }
}
