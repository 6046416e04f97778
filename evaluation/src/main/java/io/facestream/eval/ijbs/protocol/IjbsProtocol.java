package io.facestream.eval.ijbs.protocol;

/** The three IJB-S protocols AdaFace reports (adaface.md §5c, last paragraph), with their JSON key and display name. */
public enum IjbsProtocol {
    SUR_TO_SINGLE("sur_to_single", "Sur-to-Single"),
    SUR_TO_BOOK("sur_to_book", "Sur-to-Book"),
    SUR_TO_SUR("sur_to_sur", "Sur-to-Sur");

    private final String key;
    private final String title;

    IjbsProtocol(String key, String title) {
        this.key = key;
        this.title = title;
    }

    public String key() {
        return key;
    }

    public String title() {
        return title;
    }
}
