package io.facestream.eval.footage;

import io.facestream.embed.align.ReferenceLandmarks;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.Point;
import io.facestream.eval.ijbs.protocol.Media;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The face boxes and landmarks of {@code cs6_metadata.csv}, by media file, for decoding footage (the evaluation
 * module's reader keeps only what scoring needs). Columns are found by header name: SUBJECT_ID and FILENAME are
 * columns 0 and 1 as in IJB-S; FRAME, FACE_X, FACE_Y, FACE_WIDTH and FACE_HEIGHT are required for footage; the ten
 * landmark columns (LEFT_EYE_X … MOUTH_RIGHT_Y, as {@code facestream synth ijbs} writes them) are optional as a set.
 * Without them the alignment template is placed in the squared box, which is the reference's crop-and-resize.
 */
public final class GroundTruth {
    static final String FILE = "cs6_metadata.csv";
    private static final List<String> BOX = List.of("FACE_X", "FACE_Y", "FACE_WIDTH", "FACE_HEIGHT");
    private static final List<String> LANDMARKS = List.of(
            "LEFT_EYE_X",
            "LEFT_EYE_Y",
            "RIGHT_EYE_X",
            "RIGHT_EYE_Y",
            "NOSE_X",
            "NOSE_Y",
            "MOUTH_LEFT_X",
            "MOUTH_LEFT_Y",
            "MOUTH_RIGHT_X",
            "MOUTH_RIGHT_Y");

    /** The faces of one media file; for a video by decoded frame index, for a still all under frame −1. */
    public record MediaFaces(String file, Media media, TreeMap<Integer, List<GroundTruthFace>> byFrame) {
        public int faces() {
            return byFrame.values().stream().mapToInt(List::size).sum();
        }
    }

    private final Path file;
    private final List<MediaFaces> media;
    private final boolean measuredLandmarks;

    private GroundTruth(Path file, List<MediaFaces> media, boolean measuredLandmarks) {
        this.file = file;
        this.media = List.copyOf(media);
        this.measuredLandmarks = measuredLandmarks;
    }

    /** Reads {@code <protocol>/cs6_metadata.csv}; a bad row is an error naming the file, the line and the reason. */
    public static GroundTruth read(Path protocol) {
        Path csv = protocol.resolve(FILE);
        if (!Files.isRegularFile(csv)) {
            throw new IllegalArgumentException(csv + ": missing protocol file");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + csv, e);
        }
        if (lines.isEmpty()) {
            throw new IllegalArgumentException(csv + ": empty file");
        }
        List<String> header =
                Arrays.stream(lines.get(0).split(",", -1)).map(String::trim).toList();
        int frameCol = column(header, csv, "FRAME", "FRAME_NUM", "FRAME_NUMBER");
        int[] box = BOX.stream().mapToInt(name -> column(header, csv, name)).toArray();
        boolean measured = LANDMARKS.stream().allMatch(header::contains);
        if (!measured && LANDMARKS.stream().anyMatch(header::contains)) {
            throw new IllegalArgumentException(csv + ": has some but not all landmark columns " + LANDMARKS);
        }
        int[] lm = measured ? LANDMARKS.stream().mapToInt(header::indexOf).toArray() : null;

        Map<String, MediaFaces> byFile = new LinkedHashMap<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank()) {
                continue;
            }
            Row row = new Row(csv, i + 1, line.split(",", -1));
            int subject = (int) row.number(0, "SUBJECT_ID", true);
            String name = row.text(1, "FILENAME");
            Media media;
            try {
                media = Media.parse(name);
            } catch (IllegalArgumentException e) {
                throw row.fail(e.getMessage());
            }
            int frame = -1;
            if (media instanceof Media.Video) {
                frame = (int) row.number(frameCol, "FRAME", true);
                if (frame < 0) {
                    throw row.fail("FRAME " + frame + " is negative");
                }
            }
            Box b;
            try {
                b = new Box(
                        (float) row.number(box[0], "FACE_X", false),
                        (float) row.number(box[1], "FACE_Y", false),
                        (float) row.number(box[2], "FACE_WIDTH", false),
                        (float) row.number(box[3], "FACE_HEIGHT", false));
            } catch (IllegalArgumentException e) {
                throw row.fail(e.getMessage());
            }
            if (b.width() <= 0 || b.height() <= 0) {
                throw row.fail("face box " + b.width() + "x" + b.height() + " is empty");
            }
            List<Point> points = new ArrayList<>(5);
            if (lm != null) {
                for (int k = 0; k < 5; k++) {
                    points.add(new Point((float) row.number(lm[2 * k], LANDMARKS.get(2 * k), false), (float)
                            row.number(lm[2 * k + 1], LANDMARKS.get(2 * k + 1), false)));
                }
            } else {
                points.addAll(templateInSquaredBox(b));
            }
            GroundTruthFace face = new GroundTruthFace(subject, media, frame, b, points);
            Media m = media;
            MediaFaces mf = byFile.computeIfAbsent(name, k -> new MediaFaces(k, m, new TreeMap<>()));
            mf.byFrame().computeIfAbsent(frame, k -> new ArrayList<>()).add(face);
        }
        if (byFile.isEmpty()) {
            throw new IllegalArgumentException(csv + ": no face rows");
        }
        return new GroundTruth(csv, new ArrayList<>(byFile.values()), measured);
    }

    /** The 112×112 template scaled into the box squared about its centre (what the reference crops). */
    static List<Point> templateInSquaredBox(Box b) {
        float side = Math.max(b.width(), b.height());
        float x0 = b.x() + b.width() / 2 - side / 2;
        float y0 = b.y() + b.height() / 2 - side / 2;
        float s = side / ReferenceLandmarks.SIZE;
        return ReferenceLandmarks.ARCFACE_112.stream()
                .map(p -> new Point(x0 + p.x() * s, y0 + p.y() * s))
                .toList();
    }

    private static int column(List<String> header, Path csv, String... names) {
        for (String n : names) {
            int i = header.indexOf(n);
            if (i >= 0) {
                return i;
            }
        }
        throw new IllegalArgumentException(csv + ": footage evaluation needs column " + names[0]
                + " (face boxes of every frame); header is " + header);
    }

    public Path file() {
        return file;
    }

    /** Only the enrolment stills ({@code img/…}), e.g. to check identities at high quality. */
    public GroundTruth stills() {
        List<MediaFaces> stills =
                media.stream().filter(m -> m.media() instanceof Media.Still).toList();
        if (stills.isEmpty()) {
            throw new IllegalArgumentException(file + ": no still (img/…) rows");
        }
        return new GroundTruth(file, stills, measuredLandmarks);
    }

    /** Every media file with faces, in the order of its first row. */
    public List<MediaFaces> media() {
        return media;
    }

    public long faces() {
        return media.stream().mapToLong(MediaFaces::faces).sum();
    }

    /** True when the landmarks come from the metadata, false when they are the template placed in the box. */
    public boolean measuredLandmarks() {
        return measuredLandmarks;
    }

    private record Row(Path file, int line, String[] fields) {
        String text(int col, String name) {
            if (col >= fields.length || fields[col].isBlank()) {
                throw fail("column " + name + " is missing or empty");
            }
            return fields[col].trim();
        }

        double number(int col, String name, boolean integer) {
            String t = text(col, name);
            try {
                double v = integer ? Long.parseLong(t) : Double.parseDouble(t);
                if (!Double.isFinite(v)) {
                    throw fail(name + " '" + t + "' is not finite");
                }
                return v;
            } catch (NumberFormatException e) {
                throw fail(name + " '" + t + "' is not " + (integer ? "an integer" : "a number"));
            }
        }

        IllegalArgumentException fail(String reason) {
            return new IllegalArgumentException(file + ":" + line + ": " + reason);
        }
    }
}
