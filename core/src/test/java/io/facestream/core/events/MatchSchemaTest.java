package io.facestream.core.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The published JSON Schema and the Match record must describe the same document. */
class MatchSchemaTest {

    @Test
    void serializedMatchHasExactlyTheSchemaProperties() throws Exception {
        JsonNode schema = Json.mapper().readTree(getClass().getResourceAsStream("/schemas/match.schema.json"));
        Match m = new Match(
                "c/1/FINAL",
                "1",
                "c",
                1,
                2,
                Match.Stage.FINAL,
                Match.Decision.UNKNOWN,
                0.5,
                "g",
                new Match.ModelId("m", "1"),
                List.of(new Match.Candidate("s", "s/0", 0.1)),
                3,
                "faces/0/1");
        JsonNode json = Json.mapper().valueToTree(m);

        Set<String> schemaProps = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(schemaProps::add);
        Set<String> jsonProps = new TreeSet<>();
        json.fieldNames().forEachRemaining(jsonProps::add);
        assertEquals(schemaProps, jsonProps);
        schema.get("required").forEach(r -> assertTrue(json.has(r.asText()), "required " + r.asText()));

        Set<String> candidateProps = new TreeSet<>();
        schema.at("/properties/candidates/items/properties").fieldNames().forEachRemaining(candidateProps::add);
        Set<String> candidateJson = new TreeSet<>();
        json.at("/candidates/0").fieldNames().forEachRemaining(candidateJson::add);
        assertEquals(candidateProps, candidateJson);
        assertTrue(schema.at("/properties/decision/enum")
                .toString()
                .contains(json.get("decision").asText()));
    }
}
