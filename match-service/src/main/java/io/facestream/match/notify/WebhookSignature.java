package io.facestream.match.notify;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature of a webhook delivery: {@code sha256=} and the hex HMAC-SHA256, keyed with the webhook's secret, of
 * {@code <timestamp>.<body>} where the timestamp is the {@value #TIMESTAMP_HEADER} header (epoch seconds). Signing the
 * timestamp with the body lets a receiver refuse replays: it recomputes the HMAC and refuses old timestamps.
 */
public final class WebhookSignature {
    public static final String SIGNATURE_HEADER = "X-Facestream-Signature";
    public static final String TIMESTAMP_HEADER = "X-Facestream-Timestamp";
    private static final String PREFIX = "sha256=";

    private WebhookSignature() {}

    public static String sign(byte[] secret, long timestampSeconds, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            mac.update((timestampSeconds + ".").getBytes(StandardCharsets.US_ASCII));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** Whether {@code signature} (the header's value) is the one of this timestamp and body, compared in constant time. */
    public static boolean verify(byte[] secret, long timestampSeconds, byte[] body, String signature) {
        if (signature == null) {
            return false;
        }
        return MessageDigest.isEqual(
                sign(secret, timestampSeconds, body).getBytes(StandardCharsets.US_ASCII),
                signature.trim().getBytes(StandardCharsets.US_ASCII));
    }
}
