package io.facestream.trainer.torch;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.facestream.core.config.FacestreamPaths;
import java.nio.file.Path;

/**
 * The PyTorch engine of DJL, started offline. DJL would otherwise try its CDN for native libraries; the bundled
 * {@code pytorch-native-cpu} jar is extracted once per machine into {@code ~/.facestream/djl} (about 1.5 s).
 */
public final class TorchRuntime {
    private static volatile Engine engine;

    private TorchRuntime() {}

    /** The PyTorch engine, configured for offline use on first call. */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (TorchRuntime.class) {
                if (engine == null) {
                    Path cache = FacestreamPaths.fromEnvironment().cache("djl");
                    setIfAbsent("ai.djl.offline", "true");
                    setIfAbsent("DJL_CACHE_DIR", cache.toString());
                    setIfAbsent("ENGINE_CACHE_DIR", cache.toString());
                    engine = Engine.getEngine("PyTorch");
                }
                e = engine;
            }
        }
        return e;
    }

    /** Resolves a {@code --device} value ({@code cpu}, {@code cuda}, {@code cuda:1}); cuda must really be present. */
    public static Device device(String name) {
        engine();
        String n = name == null ? "cpu" : name.trim().toLowerCase();
        if (n.equals("cpu")) {
            return Device.cpu();
        }
        if (n.startsWith("cuda") || n.startsWith("gpu")) {
            int id = n.contains(":") ? Integer.parseInt(n.substring(n.indexOf(':') + 1)) : 0;
            int gpus = engine().getGpuCount();
            if (id >= gpus) {
                throw new IllegalArgumentException(
                        "device '" + name + "' is not available: PyTorch sees " + gpus
                                + " GPU(s) (the bundled native library is CPU-only; set PYTORCH_LIBRARY_PATH to a CUDA libtorch 2.7.1)");
            }
            return Device.gpu(id);
        }
        throw new IllegalArgumentException("unknown device '" + name + "' (expected cpu or cuda[:N])");
    }

    /**
     * PyTorch's intra-op thread count for this process (default: one per core; {@code -Dai.djl.pytorch.num_threads}
     * sets it at start). A float reduction split over more threads adds in another order, so the same seed gives
     * bit-identical weights only at the same thread count (docs/trainer.md, "Numerics").
     */
    public static void intraOpThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("intra-op threads must be at least 1, got " + threads);
        }
        engine();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    public static int intraOpThreads() {
        engine();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** Seeds PyTorch's generator (dropout, any native randomness). */
    public static void seed(long seed) {
        engine().setRandomSeed((int) seed);
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
