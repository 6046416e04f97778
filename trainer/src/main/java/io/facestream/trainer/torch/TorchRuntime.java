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
                    capOneDnnIsa();
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

    /**
     * The vector instructions PyTorch's bundled oneDNN may use, unless the environment already says
     * ({@code DNNL_MAX_CPU_ISA}): AVX2. On an AMD EPYC host with AVX-512 the imported MobileFaceNet's forward at two
     * intra-op threads came out wrong by up to 1.2 (one thread, and ONNX Runtime, agree to 1e-5), the same at
     * {@code AVX512_CORE} and {@code AVX512_CORE_VNNI}, right at {@code AVX2} ({@code OnnxRoundTripTest}). oneDNN reads
     * the variable when it first picks its kernels, so it is set in this process's environment (libc {@code setenv},
     * without overwriting) before the engine loads.
     */
    private static void capOneDnnIsa() {
        try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            java.lang.invoke.MethodHandle setenv = linker.downcallHandle(
                    linker.defaultLookup().find("setenv").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(
                            java.lang.foreign.ValueLayout.JAVA_INT,
                            java.lang.foreign.ValueLayout.ADDRESS,
                            java.lang.foreign.ValueLayout.ADDRESS,
                            java.lang.foreign.ValueLayout.JAVA_INT));
            int rc = (int)
                    setenv.invokeExact(arena.allocateFrom(ONEDNN_ISA_VARIABLE), arena.allocateFrom(ONEDNN_ISA), 0);
            if (rc != 0) {
                throw new IllegalStateException("setenv(" + ONEDNN_ISA_VARIABLE + ") returned " + rc);
            }
        } catch (Throwable e) {
            throw new IllegalStateException(
                    "cannot set " + ONEDNN_ISA_VARIABLE + " for PyTorch; set " + ONEDNN_ISA_VARIABLE + "=" + ONEDNN_ISA
                            + " in the environment before starting: " + e,
                    e);
        }
    }

    static final String ONEDNN_ISA_VARIABLE = "DNNL_MAX_CPU_ISA";
    static final String ONEDNN_ISA = "AVX2";

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
