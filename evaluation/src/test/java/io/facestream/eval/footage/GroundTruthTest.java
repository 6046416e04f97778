package io.facestream.eval.footage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.eval.ijbs.FacePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading boxes and landmarks from cs6_metadata.csv, with and without landmark columns, and its errors. */
class GroundTruthTest {
    @TempDir
    Path dir;

    @Test
    void readsFacesByMediaAndFrame() throws IOException {
        write(
                "SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT,LEFT_EYE_X,LEFT_EYE_Y,RIGHT_EYE_X,RIGHT_EYE_Y,"
                        + "NOSE_X,NOSE_Y,MOUTH_LEFT_X,MOUTH_LEFT_Y,MOUTH_RIGHT_X,MOUTH_RIGHT_Y,OCCLUSION",
                "3,img/30.jpg,,10,10,100,100,40,50,70,50,55,70,42,90,68,90,0",
                "3,videos/1001.mp4,7,5,6,20,20,10,12,18,12,14,16,11,20,17,20,0.1",
                "4,videos/1001.mp4,7,50,60,30,30,60,70,72,70,66,76,61,82,71,82,0");
        GroundTruth t = GroundTruth.read(dir);
        assertEquals(3, t.faces());
        assertEquals(2, t.media().size());
        assertTrue(t.measuredLandmarks());
        GroundTruthFace f = t.media().get(1).byFrame().get(7).get(1);
        assertEquals(new FacePath.VideoFrame(4, "1001", "7"), f.path());
        assertEquals(30, f.side());
        assertEquals(60f, f.landmarks().get(0).x());
        assertEquals(
                new FacePath.Still(3, "30"),
                t.stills()
                        .media()
                        .get(0)
                        .byFrame()
                        .firstEntry()
                        .getValue()
                        .get(0)
                        .path());
    }

    @Test
    void withoutLandmarksTheTemplateSitsInTheSquaredBox() throws IOException {
        write("SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT", "1,videos/9.mp4,0,0,0,112,56");
        GroundTruthFace f =
                GroundTruth.read(dir).media().get(0).byFrame().get(0).get(0);
        // squared to 112x112 about the centre (y from -28), so the points are the template shifted up by 28
        assertEquals(38.2946f, f.landmarks().get(0).x(), 1e-3);
        assertEquals(51.6963f - 28, f.landmarks().get(0).y(), 1e-3);
    }

    @Test
    void badRowsNameFileLineAndReason() throws IOException {
        write("SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT", "1,videos/9.mp4,x,0,0,10,10");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GroundTruth.read(dir));
        assertEquals(dir.resolve("cs6_metadata.csv") + ":2: FRAME 'x' is not an integer", e.getMessage());

        write("SUBJECT_ID,FILENAME,FRAME", "1,videos/9.mp4,0");
        e = assertThrows(IllegalArgumentException.class, () -> GroundTruth.read(dir));
        assertTrue(e.getMessage().contains("footage evaluation needs column FACE_X"), e.getMessage());
    }

    @Test
    void aMissingVideoIsNamed() throws IOException {
        write("SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT", "1,videos/9.mp4,0,0,0,10,10");
        Footage footage = new Footage(dir, GroundTruth.read(dir));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> footage.forEachFrame((m, f, bgr, faces) -> {}));
        assertTrue(e.getMessage().startsWith(dir.resolve("videos/9.mp4") + ": media file listed in"), e.getMessage());
    }

    @Test
    void anUndecodableVideoIsNamed() throws IOException {
        write("SUBJECT_ID,FILENAME,FRAME,FACE_X,FACE_Y,FACE_WIDTH,FACE_HEIGHT", "1,videos/9.mp4,0,0,0,10,10");
        Files.createDirectories(dir.resolve("videos"));
        Files.writeString(dir.resolve("videos/9.mp4"), "not a video");
        Footage footage = new Footage(dir, GroundTruth.read(dir));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> footage.forEachFrame((m, f, bgr, faces) -> {}));
        assertTrue(e.getMessage().startsWith(dir.resolve("videos/9.mp4") + ": cannot open video"), e.getMessage());
    }

    private void write(String... lines) throws IOException {
        Files.writeString(dir.resolve("cs6_metadata.csv"), String.join("\n", lines) + "\n");
    }
}
