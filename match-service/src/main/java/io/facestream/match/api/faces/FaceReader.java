package io.facestream.match.api.faces;

import io.facestream.match.api.ApiError;

/** Finds, aligns and embeds the face in an uploaded image (enrolment, search by image, verify). */
public interface FaceReader {

    /**
     * @param image encoded image bytes
     * @param what  name of the upload for messages (e.g. the form field and file name)
     * @throws ApiError 422 when the image is not an image, too large in pixels, or has no face
     */
    ReadFace read(byte[] image, String what);

    /** {@code name:version} of the embedder, the space that searches happen in. */
    String model();
}
