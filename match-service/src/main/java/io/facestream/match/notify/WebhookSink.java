package io.facestream.match.notify;

import io.facestream.core.events.Match;
import io.facestream.core.security.Redact;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A webhook ({@code notify.webhooks.<name>.*}): each decision its rule passes is POSTed as the Match JSON, signed
 * ({@link WebhookSignature}) with a fresh timestamp per attempt, with {@value #MATCH_ID_HEADER} for de-duplication
 * (delivery is at least once). Any 2xx answer is success; anything else, or no answer within the timeout, fails the
 * attempt. The secret is never logged and never part of the URL.
 */
public final class WebhookSink implements Sink {
    public static final String MATCH_ID_HEADER = "X-Facestream-Match-Id";
    /** Fewer bytes than this would make the HMAC easy to guess. */
    public static final int MIN_SECRET_LENGTH = 16;

    private static final List<String> FIELDS = List.of("url", "secret", "decisions", "stages", "cameras", "galleries");

    private final String name;
    private final URI url;
    private final byte[] secret;
    private final NotifyRule rule;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    public WebhookSink(String name, URI url, byte[] secret, NotifyRule rule, Duration timeout, Clock clock) {
        this.name = name;
        this.url = url;
        this.secret = secret.clone();
        this.rule = rule;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Every webhook of {@code notify.webhooks} (a free-form section: checked here, naming the key at fault). */
    public static List<WebhookSink> fromSection(Map<String, Object> section, Duration timeout, Clock clock) {
        Map<String, Map<String, Object>> byName = new TreeMap<>();
        section.forEach((k, v) -> {
            int dot = k.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("notify.webhooks." + k
                        + ": write notify.webhooks.<name>.url and notify.webhooks.<name>.secret");
            }
            byName.computeIfAbsent(k.substring(0, dot), n -> new TreeMap<>()).put(k.substring(dot + 1), v);
        });
        List<WebhookSink> out = new ArrayList<>();
        byName.forEach((name, fields) -> {
            String where = "notify.webhooks." + name;
            for (String f : fields.keySet()) {
                if (!FIELDS.contains(f)) {
                    throw new IllegalArgumentException(where + "." + f + " is not a field of a webhook " + FIELDS);
                }
            }
            String rawUrl = String.valueOf(fields.getOrDefault("url", "")).trim();
            URI url;
            try {
                url = URI.create(rawUrl);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ".url '" + Redact.credentials(rawUrl)
                        + "' is not a URL: write http(s)://host[:port]/path");
            }
            if (url.getScheme() == null
                    || !List.of("http", "https").contains(url.getScheme().toLowerCase(java.util.Locale.ROOT))
                    || url.getHost() == null) {
                throw new IllegalArgumentException(where + ".url '" + Redact.credentials(rawUrl)
                        + "' is not an http(s) URL: write http(s)://host[:port]/path");
            }
            if (url.getRawUserInfo() != null || !Redact.credentials(rawUrl).equals(rawUrl)) {
                throw new IllegalArgumentException(where + ".url '" + Redact.credentials(rawUrl)
                        + "' carries credentials: put the shared secret in " + where
                        + ".secret (it signs every body) and keep the URL free of them");
            }
            String secret = String.valueOf(fields.getOrDefault("secret", ""));
            if (secret.length() < MIN_SECRET_LENGTH) {
                throw new IllegalArgumentException(where + ".secret is missing or shorter than " + MIN_SECRET_LENGTH
                        + " characters: set a random secret the receiver also knows (e.g. openssl rand -hex 32)");
            }
            NotifyRule rule = NotifyRule.parse(
                    where,
                    fields.getOrDefault("decisions", "HIT,UNKNOWN"),
                    fields.getOrDefault("stages", "FINAL"),
                    fields.get("cameras"),
                    fields.get("galleries"));
            out.add(new WebhookSink(name, url, secret.getBytes(StandardCharsets.UTF_8), rule, timeout, clock));
        });
        return out;
    }

    @Override
    public String name() {
        return "webhook:" + name;
    }

    @Override
    public NotifyRule rule() {
        return rule;
    }

    /** The URL without credentials, for logs and dead-letter reasons. */
    public String target() {
        return Redact.credentials(url.toString());
    }

    @Override
    public void send(Match match, byte[] json) throws IOException, InterruptedException {
        long ts = clock.instant().getEpochSecond();
        HttpRequest request = HttpRequest.newBuilder(url)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header(WebhookSignature.TIMESTAMP_HEADER, Long.toString(ts))
                .header(WebhookSignature.SIGNATURE_HEADER, WebhookSignature.sign(secret, ts, json))
                .header(MATCH_ID_HEADER, match.matchId())
                .POST(HttpRequest.BodyPublishers.ofByteArray(json))
                .build();
        HttpResponse<Void> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new IOException(
                    "POST " + target() + " failed: "
                            + Redact.credentials(String.valueOf(
                                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())),
                    e);
        }
        int status = response.statusCode();
        if (status < 200 || status > 299) {
            throw new IOException("POST " + target() + " answered HTTP " + status);
        }
    }

    @Override
    public String toString() {
        return name() + " -> " + target();
    }
}
