package io.facestream.match.erasure;

import io.facestream.core.events.Match;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;

/**
 * Which decisions name someone whose face data must go (docs/privacy.md): a subject or a whole gallery erased while
 * this process runs, or a subject deleted before it started (its gallery's replica knows the gallery and no longer the
 * subject). Every reader of decisions that keeps faces (the API's recent matches, the match history, the tracks of
 * "seen elsewhere") asks the same question here. Thread-safe.
 */
public final class ErasedSubjects {
    /** {@code gallery/subject}, or {@code gallery/} for a whole gallery. */
    private final Set<String> erased = ConcurrentHashMap.newKeySet();

    private final BiPredicate<String, String> deletedBefore;

    /** @param deletedBefore whether {@code (gallery, subject)} was deleted before this process started */
    public ErasedSubjects(BiPredicate<String, String> deletedBefore) {
        this.deletedBefore = deletedBefore;
    }

    /** None erased, none deleted before (tests, tools). */
    public static ErasedSubjects none() {
        return new ErasedSubjects((g, s) -> false);
    }

    /** Records an erasure; {@code subjectId} null for the whole gallery. */
    public void erase(String gallery, String subjectId) {
        erased.add(gallery + "/" + (subjectId == null ? "" : subjectId));
    }

    /** Whether {@code m} names an erased gallery, or any candidate an erased or earlier-deleted subject of it. */
    public boolean names(Match m) {
        String g = m.gallery() == null ? "" : m.gallery();
        if (erased.contains(g + "/")) {
            return true;
        }
        for (Match.Candidate c : m.candidates()) {
            if (c.subjectId() != null
                    && (erased.contains(g + "/" + c.subjectId()) || deletedBefore.test(g, c.subjectId()))) {
                return true;
            }
        }
        return false;
    }
}
