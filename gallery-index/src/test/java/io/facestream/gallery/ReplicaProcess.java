package io.facestream.gallery;

import io.facestream.gallery.index.GalleryIndex;
import io.facestream.gallery.index.HnswSettings;
import io.facestream.gallery.replication.GalleryReplica;
import io.facestream.gallery.replication.ReplicaSettings;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A replica in a process of its own, for the crash test: applies a gallery topic into a directory, committing often,
 * until it is killed. Arguments: bootstrap, topic, index directory.
 */
public final class ReplicaProcess {
    public static void main(String[] args) throws Exception {
        GalleryIndex index = GalleryIndex.open(Path.of(args[2]), HnswSettings.defaults(), 16);
        GalleryReplica replica = new GalleryReplica(
                        index, args[0], new ReplicaSettings(args[1], Duration.ofMillis(150), 40, Duration.ofMillis(50)))
                .start();
        System.out.println("replica started at " + index.committedNextOffset().orElse(0));
        System.out.flush();
        while (replica.failure() == null) {
            Thread.sleep(50);
        }
        System.err.println("replica failed: " + replica.failure());
        System.exit(2);
    }
}
