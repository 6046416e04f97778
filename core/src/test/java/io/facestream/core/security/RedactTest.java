package io.facestream.core.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class RedactTest {
    @Test
    void passwordsInUrlsAreMasked() {
        assertEquals(
                "rtsp://admin:***@10.0.0.5:554/stream1",
                Redact.credentials("rtsp://admin:s3cr%40t@10.0.0.5:554/stream1"));
        assertEquals(
                "camera 'lobby=rtsp://u:***@cam/live;fps=2': cannot open rtsp://u:***@cam/live: Connection refused",
                Redact.credentials(
                        "camera 'lobby=rtsp://u:pa:ss@cam/live;fps=2': cannot open rtsp://u:pa:ss@cam/live: Connection refused"));
        assertEquals(
                "https://cam/mjpeg?user=bob&password=***&fps=5",
                Redact.credentials("https://cam/mjpeg?user=bob&password=hunter2&fps=5"));
        assertEquals("http://cam/x?token=***", Redact.credentials("http://cam/x?token=abc.def"));
    }

    @Test
    void textWithoutCredentialsIsUnchanged() {
        assertEquals("rtsp://cam:554/stream1", Redact.credentials("rtsp://cam:554/stream1"));
        assertEquals("rtsp://viewer@cam/stream1", Redact.credentials("rtsp://viewer@cam/stream1"));
        assertEquals("/footage/lobby.mp4", Redact.credentials("/footage/lobby.mp4"));
        assertEquals("a=b, c=d", Redact.credentials("a=b, c=d"));
        assertNull(Redact.credentials(null));
    }
}
