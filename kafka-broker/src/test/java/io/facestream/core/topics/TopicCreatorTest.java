package io.facestream.core.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.kafka.KafkaClients;
import io.facestream.core.testing.KafkaBroker;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

@KafkaBroker
class TopicCreatorTest {

    @Test
    void createsMissingTopicsOnceWithCatalogSettings(@KafkaBroker.Bootstrap String bootstrap) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            TopicCreator creator = new TopicCreator(admin, (short) 1);
            List<TopicCreator.TopicState> first = creator.ensure(TopicCatalog.defaults());
            List<TopicCreator.TopicState> second = creator.ensure(TopicCatalog.defaults());

            assertEquals(TopicCatalog.defaults().topics().size(), second.size(), "one state per topic of the catalog");
            assertTrue(
                    second.stream().anyMatch(s -> s.expected().name().equals(TopicCatalog.LATE_FRAMES)),
                    "the catch-up topic too");
            assertTrue(second.stream().noneMatch(TopicCreator.TopicState::created), "second run creates nothing");
            for (TopicCreator.TopicState s : second) {
                assertEquals(List.of(), s.drift(), s.expected().name() + " matches the catalog");
            }
            TopicCreator.TopicState gallery = second.stream()
                    .filter(s -> s.expected().name().equals(TopicCatalog.GALLERY))
                    .findFirst()
                    .orElseThrow();
            assertEquals("compact", gallery.configs().get("cleanup.policy"));
            TopicCreator.TopicState frames = first.stream()
                    .filter(s -> s.expected().name().equals(TopicCatalog.FRAMES))
                    .findFirst()
                    .orElseThrow();
            assertEquals(
                    Integer.toString(TopicCatalog.FRAME_MAX_BYTES),
                    frames.configs().get("max.message.bytes"));
        }
    }

    @Test
    void reportsDriftInsteadOfChangingAnExistingTopic(@KafkaBroker.Bootstrap String bootstrap) {
        try (Admin admin = KafkaClients.admin(bootstrap)) {
            TopicSpec odd = new TopicSpec("drift-check", 1, Map.of("cleanup.policy", "delete"), "test");
            new TopicCreator(admin, (short) 1).ensure(List.of(odd));
            TopicSpec wanted = new TopicSpec("drift-check", 3, Map.of("cleanup.policy", "compact"), "test");
            TopicCreator.TopicState state =
                    new TopicCreator(admin, (short) 1).ensure(List.of(wanted)).get(0);
            assertFalse(state.created());
            assertEquals(
                    List.of("partitions: 1 (expected 3)", "cleanup.policy: delete (expected compact)"), state.drift());
        }
    }
}
