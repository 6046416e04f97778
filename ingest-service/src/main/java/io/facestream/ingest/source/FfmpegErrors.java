package io.facestream.ingest.source;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/** Turns JavaCV's "avformat_open_input() error -111: Could not open input ..." into FFmpeg's own words. */
final class FfmpegErrors {
    private static final Pattern CODE = Pattern.compile("error (-?\\d+)");

    private FfmpegErrors() {}

    static String describe(Exception e) {
        String message = String.valueOf(e.getMessage());
        Matcher m = CODE.matcher(message);
        if (m.find()) {
            int code = Integer.parseInt(m.group(1));
            try (BytePointer buf = new BytePointer(256)) {
                if (avutil.av_strerror(code, buf, 256) == 0) {
                    byte[] bytes = new byte[256];
                    buf.get(bytes);
                    int end = 0;
                    while (end < bytes.length && bytes[end] != 0) {
                        end++;
                    }
                    return new String(bytes, 0, end, java.nio.charset.StandardCharsets.UTF_8) + " (FFmpeg error " + code
                            + ")";
                }
            }
        }
        return message;
    }
}
