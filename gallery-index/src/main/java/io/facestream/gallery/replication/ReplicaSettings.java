package io.facestream.gallery.replication;

import java.time.Duration;

/**
 * When the replica commits: after {@code commitMaxRecords} applied records or {@code commitInterval}, whichever
 * comes first. A commit is the unit of durability: after a crash, everything after it is replayed from the topic.
 */
public record ReplicaSettings(String topic, Duration commitInterval, int commitMaxRecords, Duration pollTimeout) {
    public ReplicaSettings {
        if (commitMaxRecords < 1) {
            throw new IllegalArgumentException("replica commit max-records " + commitMaxRecords + " must be >= 1");
        }
    }

    public static ReplicaSettings defaults() {
        return new ReplicaSettings(io.facestream.core.topics.TopicCatalog.GALLERY, Duration.ofSeconds(5), 1000,
                Duration.ofMillis(100));
    }
}
