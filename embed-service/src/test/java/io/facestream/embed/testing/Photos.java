package io.facestream.embed.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.facestream.embed.image.ImageDecoder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/** The real photographs in ../shared/data/photos; tests using them skip when the folder is absent. */
public final class Photos {
    private Photos() {}

    public static Path path(String name) {
        String shared = System.getProperty("facestream.shared", "../../shared");
        Path p = Path.of(shared, "data", "photos", name);
        assumeTrue(Files.isRegularFile(p), "shared photo " + p + " is absent");
        return p;
    }

    public static Mat read(String name) {
        return new ImageDecoder().read(path(name));
    }
}
