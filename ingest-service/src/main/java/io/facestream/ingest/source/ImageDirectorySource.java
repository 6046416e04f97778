package io.facestream.ingest.source;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imread;

import io.facestream.ingest.camera.AtEnd;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.Replay;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A directory of still images played as a camera: files sorted by name, one every {@code 1/image-fps} seconds of
 * capture time. Images the sampler drops are never even read. A broken image is reported and skipped.
 */
public record ImageDirectorySource(Path directory) implements CameraSource {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff");

    @Override
    public String location() {
        return directory.toString();
    }

    @Override
    public boolean live() {
        return false;
    }

    /** The images, sorted by file name. */
    public List<Path> images() throws SourceException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> EXTENSIONS.stream()
                            .anyMatch(p.getFileName().toString().toLowerCase(Locale.ROOT)::endsWith))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new SourceException("cannot list image directory " + directory + ": " + e.getMessage());
        }
    }

    @Override
    public void stream(CameraOptions options, FrameSink sink) throws SourceException {
        List<Path> images = images();
        if (images.isEmpty()) {
            throw new SourceException(
                    "image directory " + directory + " holds no images (" + String.join(" ", EXTENSIONS) + ")");
        }
        Pacer pacer = new Pacer(options.replay() == Replay.REALTIME);
        long start = WallClock.micros();
        long index = 0;
        do {
            for (Path image : images) {
                if (sink.stopping()) {
                    return;
                }
                long capture = start + Math.round(index++ * 1_000_000 / options.imageFps());
                pacer.await(capture, sink);
                if (!sink.wants(capture)) {
                    sink.skipped(capture);
                    continue;
                }
                try (Mat bgr = imread(image.toString(), IMREAD_COLOR)) {
                    if (bgr == null || bgr.empty()) {
                        sink.unreadable(image.toString(), "not a readable image");
                    } else {
                        sink.accept(new Picture(bgr, Picture.Layout.BGR), capture);
                    }
                }
            }
        } while (options.atEnd() == AtEnd.LOOP && !sink.stopping());
    }
}
