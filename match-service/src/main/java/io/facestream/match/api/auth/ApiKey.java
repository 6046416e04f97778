package io.facestream.match.api.auth;

/** A named key: the name is what the audit log and feedback record as "who". */
public record ApiKey(String name, String secret, Role role) {
    public ApiKey {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("API key '" + name + "' is too short: use at least 16 characters");
        }
    }

    @Override
    public String toString() {
        return "ApiKey[" + name + ", " + role + "]"; // never the secret
    }
}
