package io.facestream.embed.model.convert;

/**
 * How to convert one TFLite model.
 *
 * @param dynamicBatch   make the batch axis of every input and output symbolic ({@code N})
 * @param dynamicSpatial make H and W of 4-D inputs symbolic (fully convolutional nets such as MTCNN's P-Net)
 * @param fusePatterns   recognise the PReLU and softmax idioms (off = literal 1:1 lowering, kept for checking)
 */
public record ConversionOptions(boolean dynamicBatch, boolean dynamicSpatial, boolean fusePatterns) {
    /** Dynamic batch, fixed H/W, fused patterns. */
    public static ConversionOptions defaults() {
        return new ConversionOptions(true, false, true);
    }

    public static ConversionOptions fullyConvolutional() {
        return new ConversionOptions(true, true, true);
    }

    public ConversionOptions literal() {
        return new ConversionOptions(dynamicBatch, dynamicSpatial, false);
    }
}
