package io.facestream.ingest.source;

import io.facestream.ingest.camera.CameraOptions;
import java.nio.file.Path;

/**
 * A local capture device through FFmpeg's video4linux2 input. Like a live URL: wall-clock capture time, and a device
 * that disappears (unplugged USB camera) is retried with backoff.
 */
public record V4L2DeviceSource(Path device) implements CameraSource {
    @Override
    public String location() {
        return "v4l2:" + device;
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public void stream(CameraOptions options, FrameSink sink) throws SourceException {
        ReconnectLoop.run(
                device.toString(), options.format().isEmpty() ? "video4linux2" : options.format(), options, sink);
    }
}
