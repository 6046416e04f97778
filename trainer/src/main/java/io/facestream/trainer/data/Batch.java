package io.facestream.trainer.data;

/**
 * One training batch, ready for the network.
 *
 * @param step    global step it belongs to
 * @param pixels  normalised pixels in the model's layout, {@code size} images
 * @param labels  class per image
 * @param size    images in the batch (smaller than requested when bad records were skipped)
 * @param workNanos thread time spent reading, decoding and augmenting it
 * @param sources   where each image came from (file, or file#record), so a step that goes wrong can name its batch
 */
public record Batch(
        long step, float[] pixels, long[] labels, int size, long workNanos, java.util.List<String> sources) {
    public Batch {
        sources = java.util.List.copyOf(sources);
    }
}
