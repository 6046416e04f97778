package io.facestream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.core.testing.KafkaBroker;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.ops.FacestreamCli;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@KafkaBroker
class TopicsCommandTest {

    @Test
    void createsAndListsEveryTopicTwiceWithoutError(@KafkaBroker.Bootstrap String bootstrap, @TempDir Path dir) throws Exception {
        Path json = dir.resolve("topics.json");
        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap));
        assertEquals(0, FacestreamCli.run("topics", "--bootstrap", bootstrap, "--json", json.toString()));

        JsonNode rows = Json.mapper().readTree(json.toFile()).at("/tables/0/rows");
        Set<String> names = new HashSet<>();
        rows.forEach(r -> {
            names.add(r.get("topic").asText());
            assertEquals("exists", r.get("status").asText(), "second run creates nothing");
            assertEquals("", r.get("drift").asText());
        });
        Set<String> expected = new HashSet<>();
        TopicCatalog.defaults().topics().forEach(t -> expected.add(t.name()));
        assertEquals(expected, names);
    }
}
