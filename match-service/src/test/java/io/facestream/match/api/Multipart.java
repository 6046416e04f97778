package io.facestream.match.api;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A multipart/form-data body built by hand (the JDK's HttpClient has none): text fields and files. */
public final class Multipart {
    private final String boundary = "fs-" + Long.toHexString(System.nanoTime());
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final List<Object[]> files = new ArrayList<>();

    public Multipart field(String name, String value) {
        fields.put(name, value);
        return this;
    }

    public Multipart file(String name, String filename, byte[] content) {
        files.add(new Object[] {name, filename, content});
        return this;
    }

    public String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }

    public byte[] body() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        fields.forEach((k, v) -> write(
                out, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n"));
        for (Object[] f : files) {
            write(
                    out,
                    "--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + f[0] + "\"; filename=\"" + f[1]
                            + "\"\r\nContent-Type: application/octet-stream\r\n\r\n");
            out.writeBytes((byte[]) f[2]);
            write(out, "\r\n");
        }
        write(out, "--" + boundary + "--\r\n");
        return out.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String s) {
        out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }
}
