package io.facestream.trainer.data;

/**
 * One labelled training image as stored: the encoded bytes (JPEG/PNG) and its class index.
 *
 * @param label  class index in [0, classes)
 * @param image  encoded image
 * @param source where it came from, for bad-record reports (file, or file#record)
 */
public record FaceRecord(int label, byte[] image, String source) {}
