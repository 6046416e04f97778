package io.facestream.match.erasure;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.events.Match;
import java.util.List;
import org.junit.jupiter.api.Test;

class ErasedSubjectsTest {

    private static Match naming(String gallery, String... subjects) {
        return new Match(
                "cam/1/FINAL",
                "1",
                "cam",
                0,
                1,
                Match.Stage.FINAL,
                Match.Decision.UNKNOWN,
                0.4,
                gallery,
                new Match.ModelId("mobilefacenet", "1"),
                java.util.Arrays.stream(subjects)
                        .map(s -> new Match.Candidate(s, "m0", 0.2))
                        .toList(),
                1,
                "faces/0/1");
    }

    @Test
    void aSubjectAGalleryOrADeletionBeforeTheStart() {
        ErasedSubjects e = new ErasedSubjects((g, s) -> g.equals("watch") && s.equals("gone"));
        assertFalse(e.names(naming("watch", "alice", "bob")));
        assertTrue(e.names(naming("watch", "bob", "gone")), "deleted before the start, any candidate");
        e.erase("watch", "alice");
        assertTrue(e.names(naming("watch", "bob", "alice")), "erased now, any candidate");
        assertFalse(e.names(naming("other", "alice")), "per gallery");
        assertFalse(e.names(naming("other")), "a decision without candidates names nobody");
        e.erase("other", null);
        assertTrue(e.names(naming("other")), "a deleted gallery: all its decisions");
        assertFalse(ErasedSubjects.none().names(naming("watch", "gone")));
        assertFalse(e.names(new Match(
                "c/1/FINAL",
                "1",
                "c",
                0,
                1,
                Match.Stage.FINAL,
                Match.Decision.UNKNOWN,
                0.4,
                null,
                null,
                List.of(),
                0,
                null)));
    }
}
