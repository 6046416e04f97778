package io.facestream.embed.embedding;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.facestream.embed.model.ModelException;
import io.facestream.embed.model.ModelManifest;
import io.facestream.embed.model.ModelStore;
import io.facestream.embed.onnx.OnnxSessions;
import io.facestream.embed.onnx.PixelLayout;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Runs an embedding model on aligned face crops. Everything about the input (size, axis order, RGB/BGR, mean/std) and
 * the output (tensor name, dimension) comes from the manifest. Crops are batched up to {@code maxBatch}; a model whose
 * batch axis is fixed is fed batches of exactly that size (the tail padded with the last crop and dropped again).
 * Calls may run concurrently on one instance (ONNX Runtime allows concurrent runs of a session; nothing here is
 * mutable), each on its calling thread when the session has one intra-op thread.
 */
public final class FaceEmbedder implements AutoCloseable {
    private final ModelManifest manifest;
    private final OrtSession session;
    private final PixelLayout pixels;
    private final String inputName;
    private final String outputName;
    private final int width;
    private final int height;
    private final int dimension;
    private final int fixedBatch;
    private final int maxBatch;

    public FaceEmbedder(ModelStore.InstalledModel model, OnnxSessions sessions, int maxBatch) {
        this.manifest = model.manifest();
        if (manifest.kind() != ModelManifest.Kind.EMBEDDER || manifest.embedding() == null) {
            throw new ModelException("model " + manifest.id() + " is not an embedder (kind " + manifest.kind() + ")");
        }
        if (maxBatch < 1) {
            throw new IllegalArgumentException("embedding batch size must be >= 1, got " + maxBatch);
        }
        this.pixels = PixelLayout.of(manifest);
        this.width = manifest.input().width();
        this.height = manifest.input().height();
        if (width <= 0 || height <= 0) {
            throw new ModelException(
                    "embedder " + manifest.id() + " must declare its input size, got " + width + "x" + height);
        }
        this.dimension = manifest.embedding().size();
        this.session = sessions.open(model.path("main"));
        try {
            ModelManifest.ModelFile file = manifest.file("main");
            this.inputName = file.inputs() == null || file.inputs().isEmpty()
                    ? session.getInputNames().iterator().next()
                    : file.inputs().get(0);
            this.outputName = manifest.embedding().output() != null
                    ? manifest.embedding().output()
                    : session.getOutputNames().iterator().next();
            if (!session.getOutputNames().contains(outputName)) {
                throw new ModelException("embedder " + manifest.id() + ": output '" + outputName + "' not in "
                        + session.getOutputNames());
            }
            NodeInfo in = session.getInputInfo().get(inputName);
            if (in == null) {
                throw new ModelException(
                        "embedder " + manifest.id() + ": input '" + inputName + "' not in " + session.getInputNames());
            }
            long batchDim = ((TensorInfo) in.getInfo()).getShape()[0];
            this.fixedBatch = batchDim > 0 ? (int) batchDim : 0;
        } catch (OrtException e) {
            close();
            throw new ModelException(
                    "embedder " + manifest.id() + ": cannot inspect the ONNX graph: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
        this.maxBatch = fixedBatch > 0 ? fixedBatch : maxBatch;
    }

    public ModelManifest manifest() {
        return manifest;
    }

    public int inputWidth() {
        return width;
    }

    public int inputHeight() {
        return height;
    }

    public int maxBatch() {
        return maxBatch;
    }

    /** Embeds crops of the manifest's input size (8-bit BGR); result i belongs to crop i. */
    public List<Embedding> embed(List<Mat> crops) {
        List<Embedding> out = new ArrayList<>(crops.size());
        for (int start = 0; start < crops.size(); start += maxBatch) {
            out.addAll(run(crops.subList(start, Math.min(crops.size(), start + maxBatch))));
        }
        return out;
    }

    public Embedding embed(Mat crop) {
        return embed(List.of(crop)).get(0);
    }

    private List<Embedding> run(List<Mat> crops) {
        int n = fixedBatch > 0 ? fixedBatch : crops.size();
        float[] data = new float[n * 3 * width * height];
        for (int i = 0; i < n; i++) {
            Mat crop = crops.get(Math.min(i, crops.size() - 1));
            if (crop.cols() != width || crop.rows() != height) {
                throw new IllegalArgumentException("embedder " + manifest.id() + " takes " + width + "x" + height
                        + " crops, got " + crop.cols() + "x" + crop.rows());
            }
            pixels.pack(crop, data, i);
        }
        try (OnnxTensor input = OnnxTensor.createTensor(
                        OnnxSessions.environment(), FloatBuffer.wrap(data), pixels.shape(n, height, width));
                OrtSession.Result result = session.run(Map.of(inputName, input))) {
            OnnxTensor output = (OnnxTensor) result.get(outputName).orElseThrow();
            long[] shape = output.getInfo().getShape();
            long perFace = shape.length < 2 ? 0 : output.getInfo().getNumElements() / shape[0];
            if (shape[0] != n || perFace != dimension) {
                throw new ModelException("embedder " + manifest.id() + ": output shape "
                        + java.util.Arrays.toString(shape) + ", manifest says " + dimension + " values per face");
            }
            FloatBuffer fb = output.getFloatBuffer();
            List<Embedding> out = new ArrayList<>(crops.size());
            float[] row = new float[dimension];
            for (int i = 0; i < crops.size(); i++) {
                fb.get(i * dimension, row);
                out.add(Embedding.of(row));
            }
            return out;
        } catch (OrtException e) {
            throw new ModelException(
                    "embedder " + manifest.id() + " failed on a batch of " + n + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (session != null) {
            try {
                session.close();
            } catch (OrtException e) {
                throw new ModelException("cannot close session of " + manifest.id(), e);
            }
        }
    }
}
