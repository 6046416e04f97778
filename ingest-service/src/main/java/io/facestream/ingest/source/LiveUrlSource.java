package io.facestream.ingest.source;

import io.facestream.core.security.Redact;
import io.facestream.ingest.camera.CameraOptions;

/**
 * A network stream: RTSP, HTTP (MJPEG multipart, HLS, progressive), RTMP, UDP, SRT. Capture time is the wall clock
 * when a frame arrives. Lost connections are retried with backoff and counted as gaps.
 */
public record LiveUrlSource(String url) implements CameraSource {
    /** The URL with its password and credential parameters masked: for logs and errors. */
    @Override
    public String location() {
        return Redact.credentials(url);
    }

    @Override
    public String toString() {
        return "LiveUrlSource[" + location() + "]";
    }

    @Override
    public boolean live() {
        return true;
    }

    @Override
    public void stream(CameraOptions options, FrameSink sink) throws SourceException {
        ReconnectLoop.run(url, options.format(), options, sink);
    }
}
