package io.facestream.ops.demo;

import io.facestream.ops.report.Table;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo's final decisions tallied against the ground truth: one row per {@link Outcome} with its tracks and the
 * people involved, and the open-set false-alarm rate on people who are not enrolled, which the demo checks against
 * its target ({@link #verdict}).
 */
record DemoSummary(
        Map<Outcome, Integer> tracks,
        Map<Outcome, Set<String>> people,
        int appearancesEnrolled,
        int appearancesFound,
        double fpirNotEnrolled,
        int notEnrolledTracks,
        List<TrackTruth.Attributed> finals) {

    /** Exit code of {@code demo --exit} when the false-alarm rate on people not enrolled is above the target. */
    static final int TARGET_MISSED = 3;

    /** Whether the demo met its target, with the line that says so. */
    record Verdict(boolean met, String line) {
        int exitCode() {
            return met ? 0 : TARGET_MISSED;
        }
    }

    /** The false-alarm rate on people who are not enrolled against the target FPIR the threshold was calibrated for. */
    Verdict verdict(double targetFpir) {
        int falseAlarms = tracks.get(Outcome.FALSE_ALARM);
        String rate = String.format(
                java.util.Locale.ROOT,
                "false-alarm rate on people not enrolled %.3f (%d of %d tracks)",
                fpirNotEnrolled,
                falseAlarms,
                notEnrolledTracks);
        String target = String.format(java.util.Locale.ROOT, "target FPIR %.3f", targetFpir);
        return fpirNotEnrolled > targetFpir
                ? new Verdict(
                        false,
                        "demo: FAILED: " + rate + " is above the " + target + " (exit code " + TARGET_MISSED + ")")
                : new Verdict(true, "demo: target met: " + rate + " is within the " + target);
    }

    static DemoSummary of(List<TrackTruth.Attributed> finals, Set<Integer> enrolled, DemoFootage footage) {
        Map<Outcome, Integer> tracks = new EnumMap<>(Outcome.class);
        Map<Outcome, Set<String>> people = new EnumMap<>(Outcome.class);
        for (Outcome o : Outcome.values()) {
            tracks.put(o, 0);
            people.put(o, new TreeSet<>());
        }
        Set<String> found = new TreeSet<>();
        for (TrackTruth.Attributed a : finals) {
            Outcome o = Outcome.of(a, enrolled);
            tracks.merge(o, 1, Integer::sum);
            a.subject().ifPresent(s -> people.get(o).add(s + "@" + a.video()));
            if (o == Outcome.HIT) {
                found.add(a.subject().get() + "@" + a.video());
            }
        }
        int enrolledAppearances = 0;
        for (var m : footage.truth().media()) {
            if (m.media() instanceof io.facestream.eval.ijbs.protocol.Media.Video) {
                Set<Integer> inVideo = new TreeSet<>();
                m.byFrame().values().forEach(fs -> fs.forEach(f -> inVideo.add(f.subject())));
                enrolledAppearances +=
                        (int) inVideo.stream().filter(enrolled::contains).count();
            }
        }
        int falseAlarms = tracks.get(Outcome.FALSE_ALARM);
        int notEnrolled = falseAlarms + tracks.get(Outcome.UNKNOWN);
        List<TrackTruth.Attributed> sorted = new java.util.ArrayList<>(finals);
        sorted.sort(java.util.Comparator.comparing(
                        (TrackTruth.Attributed a) -> a.match().cameraId())
                .thenComparingLong(a -> Long.parseLong(a.match().trackId())));
        return new DemoSummary(
                tracks,
                people,
                enrolledAppearances,
                found.size(),
                notEnrolled == 0 ? 0 : (double) falseAlarms / notEnrolled,
                notEnrolled,
                List.copyOf(sorted));
    }

    Table table(DemoGallery.Built gallery, double targetFpir, double seconds) {
        Table t = new Table(
                "facestream demo: final decisions against the footage's ground truth",
                "outcome",
                "tracks",
                "people (person@video)");
        for (Outcome o : Outcome.values()) {
            t.row(o.label, tracks.get(o), String.join(" ", people.get(o)));
        }
        return t.note(
                        "enrolled people found (person@video with a correct hit)",
                        appearancesFound + " of " + appearancesEnrolled)
                .note("false alarm rate on people not enrolled", fpirNotEnrolled)
                .note("tracks of people not enrolled", notEnrolledTracks)
                .note("target FPIR", targetFpir)
                .note("gallery", gallery.gallery() + ": people " + gallery.enrolled() + ", model " + gallery.model())
                .note("threshold", gallery.threshold())
                .note("non-mated still searches calibrated on", gallery.nonMated())
                .note("seconds", Math.round(seconds * 10) / 10.0);
    }

    /** Every final decision, by camera and track: what was decided, about whom, on how many faces. */
    Table decisions(Set<Integer> enrolled) {
        Table t = new Table(
                "facestream demo: final decisions",
                "camera",
                "track",
                "decision",
                "subject",
                "score",
                "faces",
                "truth",
                "outcome");
        for (TrackTruth.Attributed a : finals) {
            var m = a.match();
            var best = m.best();
            t.row(
                    m.cameraId(),
                    m.trackId(),
                    m.decision().name(),
                    best == null || m.decision() != io.facestream.core.events.Match.Decision.HIT
                            ? ""
                            : best.subjectId(),
                    best == null ? "" : Math.round(best.score() * 1000) / 1000.0,
                    m.faces(),
                    a.subject().map(String::valueOf).orElse(""),
                    Outcome.of(a, enrolled).label);
        }
        return t;
    }
}
