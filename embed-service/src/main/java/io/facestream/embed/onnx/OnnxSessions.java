package io.facestream.embed.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import io.facestream.embed.model.ModelException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens ONNX Runtime sessions on a device with a fixed number of intra-op threads. Asking for CUDA where the CUDA
 * execution provider is missing (the CPU {@code onnxruntime} jar, or no usable driver) runs on CPU and says so once,
 * loudly, per process: a silent 20× slowdown is the failure mode this guards against. On the CPU a model's PRelu
 * nodes are rewritten into vectorised ops first ({@link PreluRewrite}).
 */
public final class OnnxSessions {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSessions.class);
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();

    private final Device requested;
    private final int intraOpThreads;

    public OnnxSessions(Device device, int intraOpThreads) {
        if (intraOpThreads < 0) {
            throw new IllegalArgumentException(
                    "intra-op threads must be >= 0 (0 = ONNX Runtime's default), got " + intraOpThreads);
        }
        this.requested = device;
        this.intraOpThreads = intraOpThreads;
    }

    public static OrtEnvironment environment() {
        // ERROR level: tf2onnx files make ORT warn about removed initializers on every load.
        return OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR, "facestream");
    }

    public Device requested() {
        return requested;
    }

    public int intraOpThreads() {
        return intraOpThreads;
    }

    /** The device sessions actually run on. */
    public Device effective() {
        if (requested.type() == Device.Type.CUDA
                && !environment().getAvailableProviders().contains(OrtProvider.CUDA)) {
            return Device.CPU;
        }
        return requested;
    }

    public OrtSession open(Path model) {
        OrtEnvironment env = environment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            if (requested.type() == Device.Type.CUDA) {
                if (effective().type() == Device.Type.CUDA) {
                    options.addCUDA(requested.index());
                } else if (FALLBACK_LOGGED.compareAndSet(false, true)) {
                    LOG.warn(
                            "!!! device {} requested but ONNX Runtime has no CUDA execution provider (providers: {}): "
                                    + "RUNNING ON CPU. Build with -Pcuda (onnxruntime_gpu) on a host with CUDA 12 + cuDNN 9.",
                            requested,
                            env.getAvailableProviders());
                }
            }
            if (effective().type() == Device.Type.CPU) {
                PreluRewrite.Result r = PreluRewrite.apply(java.nio.file.Files.readAllBytes(model));
                if (r.rewritten() > 0) {
                    LOG.debug("{}: {} PRelu node(s) rewritten as Min, Mul, Add for the CPU", model, r.rewritten());
                    return env.createSession(r.model(), options);
                }
            }
            return env.createSession(model.toString(), options);
        } catch (java.io.IOException e) {
            throw new ModelException("cannot read ONNX model " + model + ": " + e.getMessage(), e);
        } catch (OrtException e) {
            throw new ModelException("cannot open ONNX model " + model + " on " + requested + ": " + e.getMessage(), e);
        }
    }
}
