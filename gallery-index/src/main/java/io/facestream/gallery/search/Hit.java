package io.facestream.gallery.search;

/** One search result: the template's subject (and medium, except for BOOKING templates) and its cosine score. */
public record Hit(String gallery, String subjectId, String mediaId, float score) {}
