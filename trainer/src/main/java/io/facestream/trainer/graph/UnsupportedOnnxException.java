package io.facestream.trainer.graph;

/** An ONNX graph the importer cannot train: names the op, the node and the reason. */
public class UnsupportedOnnxException extends IllegalArgumentException {
    public UnsupportedOnnxException(String message) {
        super(message);
    }
}
