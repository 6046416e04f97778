package io.facestream.ops.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.embed.onnx.Device;
import io.facestream.embed.pipeline.FaceSettings;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code --device} of {@code bench embed} and {@code bench cameras} is {@code face.device}, and nothing else sets it. */
class BenchDeviceOptionTest {
    @Test
    void embedDeviceOptionReachesFaceDevice() {
        check(EmbedBenchCommand::new, c -> c.config());
    }

    @Test
    void camerasDeviceOptionReachesFaceDevice() {
        check(CamerasBenchCommand::new, c -> c.config());
    }

    @Test
    void aCudaRunWithoutTheCudaProviderIsRefusedNotRunOnTheCpu() {
        EmbedBenchCommand.requireDevice(Device.CPU);
        boolean cuda = io.facestream.embed.onnx.OnnxSessions.environment()
                .getAvailableProviders()
                .contains(ai.onnxruntime.OrtProvider.CUDA);
        if (cuda) {
            EmbedBenchCommand.requireDevice(Device.parse("cuda"));
        } else {
            io.facestream.ops.cli.CommandFailed e = assertThrows(
                    io.facestream.ops.cli.CommandFailed.class,
                    () -> EmbedBenchCommand.requireDevice(Device.parse("cuda")));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("-Pcuda"), e.getMessage());
        }
    }

    private static <T> void check(Supplier<T> command, java.util.function.Function<T, FacestreamConfig> config) {
        T cuda = command.get();
        new CommandLine(cuda).parseArgs("--device", "cuda");
        assertEquals("cuda", config.apply(cuda).getString("face.device"));
        assertEquals(Device.parse("cuda"), FaceSettings.from(config.apply(cuda)).device());

        T second = command.get();
        new CommandLine(second).parseArgs("--device", "cuda:1");
        assertEquals(
                new Device(Device.Type.CUDA, 1),
                FaceSettings.from(config.apply(second)).device());

        T plain = command.get();
        new CommandLine(plain).parseArgs();
        assertEquals(Device.CPU, FaceSettings.from(config.apply(plain)).device(), "without --device: the default");

        T set = command.get();
        new CommandLine(set).parseArgs("--set", "face.device=cuda", "--device", "cpu");
        assertEquals(Device.CPU, FaceSettings.from(config.apply(set)).device(), "the flag wins over --set");

        T bad = command.get();
        new CommandLine(bad).parseArgs("--device", "tpu");
        assertThrows(
                RuntimeException.class, () -> FaceSettings.from(config.apply(bad)), "an unknown device is refused");
    }
}
