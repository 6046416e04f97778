package io.facestream.match.api.auth;

import java.util.Locale;

/** What a key may do; each role includes the ones before it. */
public enum Role {
    /** reads matches, faces and galleries, searches */
    VIEWER,
    /** also enrols and deletes subjects, gives feedback */
    OPERATOR,
    /** also creates and deletes galleries and sets thresholds */
    ADMIN;

    public boolean allows(Role needed) {
        return compareTo(needed) >= 0;
    }

    public static Role parse(String text, String where) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(where + ": role '" + text + "' is not one of viewer, operator, admin");
        }
    }
}
