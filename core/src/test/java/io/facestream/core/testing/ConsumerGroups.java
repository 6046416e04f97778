package io.facestream.core.testing;

import io.facestream.core.kafka.ConsumerGroupStart;
import io.facestream.core.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;

/** Test helper: the shared broker holds other tests' records; a new group can be made to start after all of them. */
public final class ConsumerGroups {
    private ConsumerGroups() {}

    /** Commits the current end offsets of {@code topic} for {@code group}, which must not be running yet. */
    public static void startAtEnd(String bootstrap, String group, String topic) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            ConsumerGroupStart.atEnd(admin, group, topic);
        }
    }
}
