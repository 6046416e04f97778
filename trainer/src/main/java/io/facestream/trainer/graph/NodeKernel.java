package io.facestream.trainer.graph;

import ai.djl.ndarray.NDArray;

/** One compiled ONNX node: its attributes are parsed at import, so running it is just NDArray ops (and autograd). */
@FunctionalInterface
interface NodeKernel {
    /**
     * @param inputs   the node's inputs in ONNX order; an omitted optional input is null
     * @param training training mode (BatchNormalization uses batch statistics and updates running ones; Dropout drops)
     */
    NDArray[] apply(NDArray[] inputs, boolean training);
}
