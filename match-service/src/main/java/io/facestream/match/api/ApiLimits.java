package io.facestream.match.api;

import io.facestream.core.config.FacestreamConfig;
import java.nio.file.Path;

/**
 * Input limits: the body size is enforced by the body handler (413 before the upload is stored), the pixel count
 * from the image header before decoding (422), the image count per enrolment here.
 */
public record ApiLimits(long maxUploadBytes, long maxPixels, int maxImagesPerEnrolment, Path uploadDirectory) {
    public static ApiLimits from(FacestreamConfig c) {
        return new ApiLimits(
                c.getLong("api.max-upload-bytes"),
                c.getLong("api.max-pixels"),
                c.getInt("api.max-images"),
                c.getPath("api.upload-dir"));
    }
}
