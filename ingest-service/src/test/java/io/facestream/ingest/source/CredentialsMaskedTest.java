package io.facestream.ingest.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.ingest.camera.CameraOptions;
import io.facestream.ingest.camera.CameraSpec;
import io.facestream.ingest.camera.InvalidCameraException;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

/**
 * A camera URL carries its password; the logs, errors and statuses of ingest show it masked. The stream itself is
 * opened with the real URL (FFmpeg is really asked to connect, to a port nobody listens on).
 */
class CredentialsMaskedTest {
    private final CameraOptions defaults =
            CameraOptions.fromConfig(FacestreamConfig.builder().isolated().build());

    @Test
    void aFailingStreamNamesItsUrlWithoutThePassword() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        String url = "http://admin:hunter2@127.0.0.1:" + port + "/mjpeg?token=t0ps3cret";
        CameraSpec spec = CameraSpec.parse("door=" + url + ";reconnect-attempts=0;read-timeout=2s", defaults);
        assertFalse(spec.source().location().contains("hunter2"), spec.source().location());
        assertFalse(spec.source().toString().contains("hunter2"), spec.source().toString());
        SourceException e = assertThrows(
                SourceException.class,
                () -> spec.source().stream(spec.options(), new FrameSink() {
                    @Override
                    public boolean wants(long captureMicros) {
                        return true;
                    }

                    @Override
                    public void accept(Picture picture, long captureMicros) {}

                    @Override
                    public void skipped(long captureMicros) {}

                    @Override
                    public void unreadable(String item, String reason) {}

                    @Override
                    public void gap(String cause) {}

                    @Override
                    public boolean stopping() {
                        return false;
                    }
                }));
        assertTrue(e.getMessage().contains("http://admin:***@127.0.0.1:" + port), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("t0ps3cret"), e.getMessage());
    }

    @Test
    void aRefusedCameraIsNamedWithoutThePassword() {
        InvalidCameraException e = assertThrows(
                InvalidCameraException.class,
                () -> CameraSpec.parse("front door=rtsp://admin:hunter2@cam/live", defaults));
        assertTrue(e.getMessage().contains("rtsp://admin:***@cam/live"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
    }
}
