package io.facestream.gallery.model;

import java.util.regex.Pattern;

/** The rules for gallery, subject and media identifiers: they become topic keys, Lucene terms and directory names. */
final class Names {
    /** '/' separates key levels; the rest keeps crop directory names portable. */
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@+-]{0,199}");

    private Names() {}

    static String requireId(String what, String value) {
        if (value == null || value.isEmpty()) {
            throw new GalleryInputException(what + " is empty");
        }
        if (!ID.matcher(value).matches()) {
            throw new GalleryInputException(what + " '" + value + "' is not a valid identifier: use 1-200 of "
                    + "letters, digits and . _ : @ + - (no '/', no leading punctuation)");
        }
        return value;
    }
}
