package io.facestream.embed.detect.given;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.facestream.core.json.Json;
import io.facestream.embed.align.ReferenceLandmarks;
import io.facestream.embed.detect.Box;
import io.facestream.embed.detect.DetectedFace;
import io.facestream.embed.detect.FaceDetector;
import io.facestream.embed.detect.LandmarkSource;
import io.facestream.embed.detect.Point;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Faces supplied with a frame (the {@code fs.faces} header), for annotated footage such as IJB-S, where the
 * benchmark's own boxes must be used instead of a detector's. The format is a JSON list:
 *
 * <pre>[{"box": [x, y, w, h], "landmarks": [[x, y], [x, y], [x, y], [x, y], [x, y]], "score": 0.98, "label": "subject-17"}]</pre>
 *
 * Only {@code box} is required; {@code landmark_source} (measured, mouth_estimated) is accepted so that the
 * {@code faces} of {@code facestream detect --json} can be fed back as they are. Landmarks are in template order (image-left eye, image-right eye, nose, image-left
 * mouth corner, image-right mouth corner). Without landmarks the template is placed in the box (so alignment is a
 * crop-and-scale of the box) and the face is marked {@link LandmarkSource#FROM_BOX}. Parsing is strict: an unknown
 * key, a wrong type, a non-finite number, a non-positive size or a box outside the frame is an error naming the face.
 */
public final class GivenFaces implements FaceDetector {
    private static final Set<String> KEYS = Set.of("box", "landmarks", "score", "label", "landmark_source");

    private final List<GivenFace> faces;

    private GivenFaces(List<GivenFace> faces) {
        this.faces = List.copyOf(faces);
    }

    public static GivenFaces of(List<GivenFace> faces) {
        return new GivenFaces(faces);
    }

    /** Parses the header value; {@code what} names its origin in error messages (e.g. "frame cam-1/42 fs.faces"). */
    public static GivenFaces parse(String json, String what) {
        if (json == null || json.isBlank()) {
            throw new IllegalArgumentException(
                    what + ": empty faces annotation (expected a JSON list, e.g. [] for no faces)");
        }
        JsonNode root;
        try {
            root = Json.mapper().readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    what + ": faces annotation is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isArray()) {
            throw new IllegalArgumentException(what + ": faces annotation must be a JSON list of faces, got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase()));
        }
        List<GivenFace> out = new ArrayList<>();
        for (int i = 0; i < root.size(); i++) {
            out.add(face(root.get(i), what + " face " + i));
        }
        return new GivenFaces(out);
    }

    private static GivenFace face(JsonNode node, String what) {
        if (!node.isObject()) {
            throw new IllegalArgumentException(what + ": must be an object with a \"box\"");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(what + ": unknown key \"" + key
                        + "\" (allowed: box, landmarks, score, label, landmark_source)");
            }
        }
        float[] b = numbers(node.get("box"), 4, what + " box");
        if (b[2] <= 0 || b[3] <= 0) {
            throw new IllegalArgumentException(
                    what + ": box width and height must be positive, got " + b[2] + "x" + b[3]);
        }
        Box box = new Box(b[0], b[1], b[2], b[3]);
        float score = 1f;
        JsonNode s = node.get("score");
        if (s != null) {
            if (!s.isNumber() || !(s.floatValue() >= 0 && s.floatValue() <= 1)) {
                throw new IllegalArgumentException(what + ": score must be a number in [0, 1], got " + s);
            }
            score = s.floatValue();
        }
        String label = null;
        JsonNode l = node.get("label");
        if (l != null && !l.isNull()) {
            if (!l.isTextual()) {
                throw new IllegalArgumentException(what + ": label must be a string, got " + l);
            }
            label = l.asText();
        }
        JsonNode lm = node.get("landmarks");
        DetectedFace face;
        if (lm == null || lm.isNull()) {
            face = new DetectedFace(box, score, templateIn(box), LandmarkSource.FROM_BOX);
        } else {
            if (!lm.isArray() || lm.size() != DetectedFace.LANDMARKS) {
                throw new IllegalArgumentException(what + ": landmarks must be a list of 5 [x, y] points, got " + lm);
            }
            List<Point> points = new ArrayList<>();
            for (int k = 0; k < DetectedFace.LANDMARKS; k++) {
                float[] p = numbers(lm.get(k), 2, what + " landmark " + k);
                points.add(new Point(p[0], p[1]));
            }
            face = new DetectedFace(box, score, points, source(node.get("landmark_source"), what));
        }
        return new GivenFace(face, label);
    }

    private static LandmarkSource source(JsonNode node, String what) {
        if (node == null || node.isNull()) {
            return LandmarkSource.MEASURED;
        }
        for (LandmarkSource s : LandmarkSource.values()) {
            if (s != LandmarkSource.FROM_BOX && s.name().equalsIgnoreCase(node.asText())) {
                return s;
            }
        }
        throw new IllegalArgumentException(what + ": landmark_source must be measured or mouth_estimated, got " + node);
    }

    private static float[] numbers(JsonNode node, int n, String what) {
        if (node == null || !node.isArray() || node.size() != n) {
            throw new IllegalArgumentException(
                    what + ": expected a list of " + n + " numbers, got " + (node == null ? "nothing" : node));
        }
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            JsonNode v = node.get(i);
            if (!v.isNumber() || !Float.isFinite(v.floatValue())) {
                throw new IllegalArgumentException(what + ": element " + i + " is not a finite number: " + v);
            }
            out[i] = v.floatValue();
        }
        return out;
    }

    /** The 112×112 template scaled into the box: aligning these points crops the box itself. */
    static List<Point> templateIn(Box box) {
        float sx = box.width() / ReferenceLandmarks.SIZE;
        float sy = box.height() / ReferenceLandmarks.SIZE;
        return ReferenceLandmarks.ARCFACE_112.stream()
                .map(p -> new Point(box.x() + p.x() * sx, box.y() + p.y() * sy))
                .toList();
    }

    public List<GivenFace> faces() {
        return faces;
    }

    /** The given faces whose box overlaps the image; a box entirely outside the frame is an error, not a silent drop. */
    @Override
    public List<DetectedFace> detect(Mat bgr) {
        List<DetectedFace> out = new ArrayList<>();
        for (int i = 0; i < faces.size(); i++) {
            Box b = faces.get(i).face().box();
            if (b.x() >= bgr.cols() || b.y() >= bgr.rows() || b.x() + b.width() <= 0 || b.y() + b.height() <= 0) {
                throw new IllegalArgumentException("given face " + i + " box " + b + " lies outside the " + bgr.cols()
                        + "x" + bgr.rows() + " frame");
            }
            out.add(faces.get(i).face());
        }
        return out;
    }

    @Override
    public String id() {
        return "given";
    }
}
