package io.facestream.ingest.source;

/**
 * Where a source delivers. Sources ask {@link #wants} before converting a decoded picture, so frames the sampler
 * drops cost a decode but no colour conversion, scaling or JPEG encoding.
 */
public interface FrameSink {
    /** Whether a frame captured at this time (epoch µs) would be kept. */
    boolean wants(long captureMicros);

    /** A kept frame; its pixels are valid only during the call. */
    void accept(Picture picture, long captureMicros);

    /** A frame read but not kept (sampled out). */
    void skipped(long captureMicros);

    /** One item of the input could not be read (e.g. a broken image in a directory); the source goes on. */
    void unreadable(String item, String reason);

    /** A live connection was lost; the source will try to reconnect. */
    void gap(String cause);

    /** Whether the camera is being stopped: sources return as soon as they see it. */
    boolean stopping();
}
