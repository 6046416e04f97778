package io.facestream.embed.model.convert.tflite;

import io.facestream.embed.model.ModelException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a TFLite FlatBuffer ({@code TFL3}) into a {@link TfliteModel}. Field numbers follow TFLite's public
 * {@code schema.fbs}; only the fields a float model needs are read, and anything this converter cannot represent
 * (several subgraphs, sparse tensors) is refused here with the reason.
 */
public final class TfliteReader {
    private static final String IDENTIFIER = "TFL3";

    // schema.fbs field numbers (vtable slots)
    private static final int MODEL_VERSION = 0,
            MODEL_OPERATOR_CODES = 1,
            MODEL_SUBGRAPHS = 2,
            MODEL_DESCRIPTION = 3,
            MODEL_BUFFERS = 4;
    private static final int OPCODE_DEPRECATED_BUILTIN = 0, OPCODE_CUSTOM = 1, OPCODE_VERSION = 2, OPCODE_BUILTIN = 3;
    private static final int SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS = 1, SUBGRAPH_OUTPUTS = 2, SUBGRAPH_OPERATORS = 3;
    private static final int TENSOR_SHAPE = 0,
            TENSOR_TYPE = 1,
            TENSOR_BUFFER = 2,
            TENSOR_NAME = 3,
            TENSOR_QUANTIZATION = 4,
            TENSOR_SPARSITY = 6;
    private static final int QUANT_SCALE = 2;
    private static final int BUFFER_DATA = 0, BUFFER_OFFSET = 1, BUFFER_SIZE = 2;
    private static final int OP_OPCODE_INDEX = 0, OP_INPUTS = 1, OP_OUTPUTS = 2, OP_BUILTIN_OPTIONS = 4;

    private TfliteReader() {}

    public static TfliteModel read(Path file) {
        try {
            return read(ByteBuffer.wrap(Files.readAllBytes(file)), file.toString());
        } catch (IOException e) {
            throw new ModelException("cannot read TFLite model " + file + ": " + e.getMessage(), e);
        }
    }

    public static TfliteModel read(ByteBuffer buffer, String source) {
        ByteBuffer bb = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (bb.remaining() < 8
                || !IDENTIFIER.equals(new String(
                        new byte[] {bb.get(4), bb.get(5), bb.get(6), bb.get(7)}, StandardCharsets.US_ASCII))) {
            throw new ModelException(source + " is not a TFLite model (no TFL3 file identifier)");
        }
        try {
            return parse(FlatTable.root(bb), bb, source);
        } catch (IndexOutOfBoundsException | IllegalArgumentException e) {
            throw new ModelException(source + " is a damaged TFLite FlatBuffer: " + e.getMessage(), e);
        }
    }

    private static TfliteModel parse(FlatTable model, ByteBuffer file, String source) {
        List<FlatTable> subgraphs = model.tables(MODEL_SUBGRAPHS);
        if (subgraphs.size() != 1) {
            throw new ModelException(
                    source + " has " + subgraphs.size() + " subgraphs; only single-subgraph models convert");
        }
        FlatTable graph = subgraphs.get(0);
        List<FlatTable> buffers = model.tables(MODEL_BUFFERS);
        List<FlatTable> opcodes = model.tables(MODEL_OPERATOR_CODES);

        List<TfliteModel.Tensor> tensors = new ArrayList<>();
        List<FlatTable> rawTensors = graph.tables(SUBGRAPH_TENSORS);
        for (int i = 0; i < rawTensors.size(); i++) {
            tensors.add(tensor(i, rawTensors.get(i), buffers, file, source));
        }

        List<TfliteModel.Operator> operators = new ArrayList<>();
        List<FlatTable> rawOps = graph.tables(SUBGRAPH_OPERATORS);
        for (int i = 0; i < rawOps.size(); i++) {
            FlatTable op = rawOps.get(i);
            FlatTable opcode = opcodes.get(op.getInt(OP_OPCODE_INDEX, 0));
            // Old files keep the code in the int8 field; newer ones in the int32 field; TFLite takes the larger.
            int code = Math.max(opcode.getByte(OPCODE_DEPRECATED_BUILTIN, 0), opcode.getInt(OPCODE_BUILTIN, 0));
            operators.add(new TfliteModel.Operator(
                    i,
                    BuiltinOperator.of(code),
                    code,
                    opcode.string(OPCODE_CUSTOM),
                    opcode.getInt(OPCODE_VERSION, 1),
                    op.ints(OP_INPUTS),
                    op.ints(OP_OUTPUTS),
                    op.table(OP_BUILTIN_OPTIONS)));
        }
        return new TfliteModel(
                model.getInt(MODEL_VERSION, 0),
                model.string(MODEL_DESCRIPTION),
                List.copyOf(tensors),
                List.copyOf(operators),
                graph.ints(SUBGRAPH_INPUTS),
                graph.ints(SUBGRAPH_OUTPUTS));
    }

    private static TfliteModel.Tensor tensor(
            int index, FlatTable t, List<FlatTable> buffers, ByteBuffer file, String source) {
        String name = t.string(TENSOR_NAME);
        if (t.has(TENSOR_SPARSITY)) {
            throw new ModelException(source + ": tensor '" + name + "' is sparse; sparse tensors are not supported");
        }
        FlatTable quant = t.table(TENSOR_QUANTIZATION);
        boolean quantized = quant != null && quant.vectorLength(QUANT_SCALE) > 0;
        ByteBuffer data = null;
        int bufferIndex = t.getInt(TENSOR_BUFFER, 0);
        // Buffer 0 is the schema's empty sentinel; an empty buffer means "computed at run time".
        if (bufferIndex > 0 && bufferIndex < buffers.size()) {
            FlatTable buffer = buffers.get(bufferIndex);
            long offset = buffer.getLong(BUFFER_OFFSET, 0);
            if (offset > 1) {
                // Large models keep buffers after the FlatBuffer, addressed by absolute file offset.
                data = file.slice(Math.toIntExact(offset), Math.toIntExact(buffer.getLong(BUFFER_SIZE, 0)))
                        .order(ByteOrder.LITTLE_ENDIAN);
            } else {
                ByteBuffer inline = buffer.bytes(BUFFER_DATA);
                data = inline != null && inline.remaining() > 0 ? inline : null;
            }
        }
        return new TfliteModel.Tensor(
                index,
                name,
                t.ints(TENSOR_SHAPE),
                TfliteModel.TensorType.of(t.getByte(TENSOR_TYPE, 0)),
                data,
                quantized);
    }
}
