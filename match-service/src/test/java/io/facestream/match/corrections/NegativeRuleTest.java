package io.facestream.match.corrections;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.facestream.core.events.Feedback;
import io.facestream.core.events.Match;
import io.facestream.core.events.Verdict;
import io.facestream.match.decide.GallerySearch;
import io.facestream.match.decide.OpenSetDecision;
import io.facestream.match.decide.OpenSetThreshold;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The negative-exemplar rule at its margin, and how it changes a decision. */
class NegativeRuleTest {
    private static final String MODEL = "mobilefacenet:1";
    private static final double MARGIN = 0.1;

    @Test
    void theSubjectIsVetoedExactlyFromTheMarginOn() {
        // scores exact in binary, so the boundary is the boundary
        assertTrue(NegativeRule.vetoes(0.5, 0.625, 0.125), "at the margin: vetoed");
        assertFalse(NegativeRule.vetoes(0.5, Math.nextDown(0.625), 0.125), "just below the margin: kept");
        assertTrue(NegativeRule.vetoes(0.5, 0.75, 0.125), "beyond the margin: vetoed");
        assertFalse(NegativeRule.vetoes(0.5, 0.5, 0.125), "as close as the subject but not by the margin: kept");
        assertTrue(NegativeRule.vetoes(0.5, 0.5, 0), "margin 0: as close as the subject is enough");
        assertFalse(NegativeRule.vetoes(0.8, 0.3, 0), "the subject herself, far from the impostor: kept");
    }

    @Test
    void aVetoedSubjectFallsToTheNextCandidateOrUnknown() {
        // the track's template t; alice's enrolment at cosine 0.6, bob's at 0.45 (both above the threshold 0.4)
        float[] t = unit(1, 0, 0);
        GallerySearch gallery = fixed(
                List.of(new Match.Candidate("alice", "still-1", 0.6), new Match.Candidate("bob", "still-1", 0.45)));
        Corrections corrections = Corrections.inMemory();
        CorrectedSearch search = new CorrectedSearch(gallery, corrections, MARGIN);
        assertEquals("alice", decide(search, t).best().subjectId(), "no rejection yet");

        // a negative of alice at cosine 0.7 - 1e-6 from t: closer than alice by less than the margin, kept
        corrections.accept("cam/1/FINAL", reject("alice", negativeAt(0.7 - 1e-6), 0.62));
        assertEquals("alice", decide(search, t).best().subjectId());
        // another at cosine 0.7 + 1e-6: beyond the margin, alice is vetoed and bob is the HIT
        corrections.accept("cam/2/FINAL", reject("alice", negativeAt(0.7 + 1e-6), 0.6));
        Decided d = decide(search, t);
        assertEquals(Match.Decision.HIT, d.decision());
        assertEquals("bob", d.best().subjectId());
        assertEquals(
                List.of("bob"),
                d.candidates().stream().map(Match.Candidate::subjectId).toList());

        // bob rejected too (a negative equal to t): nobody left above the threshold, UNKNOWN
        corrections.accept("cam/3/FINAL", reject("bob", t, 0.45));
        assertEquals(Match.Decision.UNKNOWN, decide(search, t).decision());

        // a negative in another model's space, or another gallery's, says nothing
        Corrections other = Corrections.inMemory();
        other.accept(
                "x/1/FINAL",
                reject("alice", t, 0.6).toBuilder().setModel("arcface:2").build());
        other.accept(
                "x/2/FINAL",
                reject("alice", t, 0.6).toBuilder().setGallery("elsewhere").build());
        assertEquals(
                "alice",
                decide(new CorrectedSearch(gallery, other, MARGIN), t).best().subjectId());
    }

    @Test
    void negativesGoWithTheirFeedback() {
        float[] t = unit(1, 0, 0);
        GallerySearch gallery = fixed(List.of(new Match.Candidate("alice", "still-1", 0.6)));
        Corrections corrections = Corrections.inMemory();
        CorrectedSearch search = new CorrectedSearch(gallery, corrections, MARGIN);
        corrections.accept("cam/1/FINAL", reject("alice", t, 0.6));
        assertEquals(Match.Decision.UNKNOWN, decide(search, t).decision());
        assertEquals(1, corrections.rejections("watch", MODEL).size());

        // the operator changes their mind: a later CONFIRM of the same decision replaces the rejection
        corrections.accept(
                "cam/1/FINAL",
                reject("alice", t, 0.6).toBuilder()
                        .setVerdict(Verdict.CONFIRM)
                        .clearTemplate()
                        .build());
        assertEquals(Match.Decision.HIT, decide(search, t).decision());

        // erasure of the subject forgets its negatives; so does a tombstone
        corrections.accept("cam/2/FINAL", reject("alice", t, 0.6));
        assertEquals(Match.Decision.UNKNOWN, decide(search, t).decision());
        assertEquals(2, corrections.forget("watch", "alice"));
        assertEquals(Match.Decision.HIT, decide(search, t).decision());
        corrections.accept("cam/3/FINAL", reject("alice", t, 0.6));
        corrections.remove("cam/3/FINAL");
        assertEquals(Match.Decision.HIT, decide(search, t).decision());
        assertTrue(corrections.reviewed().isEmpty());
    }

    @Test
    void aMarginOutsideItsRangeIsRefused() {
        GallerySearch gallery = fixed(List.of());
        try {
            new CorrectedSearch(gallery, Corrections.inMemory(), -0.1);
        } catch (IllegalArgumentException e) {
            assertTrue(e.getMessage().contains("match.corrections.negative-margin"), e.getMessage());
            return;
        }
        throw new AssertionError("a negative margin was accepted");
    }

    private record Decided(Match.Decision decision, List<Match.Candidate> candidates) {
        Match.Candidate best() {
            return candidates.isEmpty() ? null : candidates.get(0);
        }
    }

    private static Decided decide(CorrectedSearch search, float[] t) {
        List<Match.Candidate> c = search.search("watch", MODEL, t, 5);
        return new Decided(OpenSetDecision.decide(c, search.threshold("watch", MODEL)), c);
    }

    /** A unit vector at cosine {@code c} from (1, 0, 0). */
    private static float[] negativeAt(double c) {
        return new float[] {(float) c, (float) Math.sqrt(1 - c * c), 0};
    }

    private static float[] unit(float... v) {
        return v;
    }

    private static Feedback reject(String subject, float[] template, double score) {
        Feedback.Builder b = Feedback.newBuilder()
                .setMatchId("m")
                .setVerdict(Verdict.REJECT)
                .setGallery("watch")
                .setSubjectId(subject)
                .setModel(MODEL)
                .setScore(score)
                .addAlignedCropsJpeg(ByteString.copyFromUtf8("jpeg"));
        for (float x : template) {
            b.addTemplate(x);
        }
        return b.build();
    }

    private static GallerySearch fixed(List<Match.Candidate> candidates) {
        return new GallerySearch() {
            @Override
            public List<Match.Candidate> search(String gallery, String model, float[] unitQuery, int k) {
                return candidates;
            }

            @Override
            public OpenSetThreshold threshold(String gallery, String model) {
                return OpenSetThreshold.manual(0.4);
            }
        };
    }
}
