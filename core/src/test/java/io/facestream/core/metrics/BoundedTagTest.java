package io.facestream.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BoundedTagTest {
    @Test
    void invalidValuesAndValuesPastTheBoundAreFolded() {
        BoundedTag cameras = new BoundedTag(v -> v.matches("[a-z0-9-]{1,64}"), 2);
        assertEquals("lobby", cameras.of("lobby"));
        assertEquals("door", cameras.of("door"));
        assertEquals("other", cameras.of("garage"), "a third distinct camera is past the bound");
        assertEquals("lobby", cameras.of("lobby"), "values seen before keep their tag");
        assertEquals("invalid", cameras.of("front door\n# HELP injected"));
        assertEquals("invalid", cameras.of(null));
        assertEquals("invalid", BoundedTag.cameras().of("x".repeat(65)));
    }
}
