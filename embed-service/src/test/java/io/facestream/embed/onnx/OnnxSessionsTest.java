package io.facestream.embed.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.facestream.embed.testing.TestModels;
import org.junit.jupiter.api.Test;

class OnnxSessionsTest {
    @Test
    void devicesParse() {
        assertEquals(Device.CPU, Device.parse("cpu"));
        assertEquals(new Device(Device.Type.CUDA, 0), Device.parse("cuda"));
        assertEquals(new Device(Device.Type.CUDA, 1), Device.parse("CUDA:1"));
        assertEquals("cuda:1", Device.parse("cuda:1").toString());
        assertThrows(IllegalArgumentException.class, () -> Device.parse("gpu"));
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
    }

    @Test
    void cudaWithoutItsProviderFallsBackToCpuAndStillRuns() throws Exception {
        assumeFalse(
                OnnxSessions.environment().getAvailableProviders().contains(OrtProvider.CUDA), "this runtime has CUDA");
        OnnxSessions sessions = new OnnxSessions(Device.parse("cuda:0"), 1);
        assertEquals(Device.CPU, sessions.effective());
        try (OrtSession s = sessions.open(TestModels.get("blazeface-front").path("main"))) {
            assertEquals(4, s.getOutputNames().size());
        }
    }
}
