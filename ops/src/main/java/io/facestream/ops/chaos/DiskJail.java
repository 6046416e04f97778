package io.facestream.ops.chaos;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small disk of its own for one service, so that the campaign can fill it and free it again: a tmpfs of
 * {@code sizeMb} mounted on {@link #mountPoint()} in a private mount namespace, held open by a {@code sleep} process.
 * The service is started inside that namespace ({@link #enter()}: {@code nsenter}), so it sees the small disk at the
 * path its configuration names, while the rest of the machine does not see the mount at all. Killing and restarting
 * the service keeps the disk and what is on it, as with a real volume.
 *
 * <p>The namespace is a user namespace as well (util-linux {@code unshare --user --map-root-user --mount}), so no
 * root privilege is needed: the invoking user is root inside it and owns its mounts. When the jail closes, the holder
 * ends; the mount goes with the last process of the namespace.
 */
final class DiskJail implements AutoCloseable {
    private static final String FILLER = "chaos-disk-filler";
    private final Path mountPoint;
    private final int sizeMb;
    private final Process holder;

    private DiskJail(Path mountPoint, int sizeMb, Process holder) {
        this.mountPoint = mountPoint;
        this.sizeMb = sizeMb;
        this.holder = holder;
    }

    /** Mounts a {@code sizeMb} tmpfs on {@code mountPoint} (created if missing) in a new private namespace. */
    static DiskJail open(Path mountPoint, int sizeMb) {
        Path at = mountPoint.toAbsolutePath();
        try {
            Files.createDirectories(at);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the disk-full fault's mount point " + at, e);
        }
        try {
            Process p = new ProcessBuilder(List.of(
                            "unshare",
                            "--user",
                            "--map-root-user",
                            "--mount",
                            "sh",
                            "-c",
                            // "$0" is the mount point: no quoting of a path inside the script
                            "mount -t tmpfs -o size=" + sizeMb + "m,mode=0755 facestream-chaos \"$0\" && echo mounted"
                                    + " && exec sleep 2147483647",
                            at.toString()))
                    .redirectErrorStream(true)
                    .start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (!"mounted".equals(first)) {
                StringBuilder rest = new StringBuilder(first == null ? "" : first);
                String line;
                while (p.waitFor(2, TimeUnit.SECONDS) && (line = out.readLine()) != null) {
                    rest.append('\n').append(line);
                }
                p.destroyForcibly();
                throw new IllegalStateException("cannot mount a " + sizeMb + " MB tmpfs in a private namespace for the "
                        + "disk-full fault (util-linux unshare and user namespaces are needed; leave disk-full out of "
                        + "--faults where the kernel forbids them): " + rest);
            }
            return new DiskJail(at, sizeMb, p);
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot start unshare for the disk-full fault (install util-linux, or leave disk-full out of --faults)",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while mounting the disk-full fault's tmpfs", e);
        }
    }

    Path mountPoint() {
        return mountPoint;
    }

    int sizeMb() {
        return sizeMb;
    }

    /** The command prefix that runs a program inside the jail's namespaces (it then sees the small disk). */
    List<String> enter() {
        return List.of("nsenter", "--target", Long.toString(holder.pid()), "--user", "--mount", "--");
    }

    /** The small disk as this process reaches it: through the holder's root, since the mount is not visible here. */
    private Path disk() {
        return Path.of("/proc", Long.toString(holder.pid()), "root")
                .resolve(mountPoint.toString().substring(1));
    }

    /**
     * Writes a filler file until the disk refuses a write (ENOSPC); returns the bytes written. Whatever the service
     * writes from now on fails until {@link #free()}.
     */
    long fill() {
        Path filler = disk().resolve(FILLER);
        long written = 0;
        // 1 MB writes until one fails, then smaller ones: a few KB left over would still take a small index file
        for (int chunk : new int[] {1 << 20, 1 << 16, 1 << 12}) {
            try (OutputStream out = Files.newOutputStream(
                    filler, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND)) {
                byte[] bytes = new byte[chunk];
                while (true) {
                    out.write(bytes);
                    written += chunk;
                    if (written > (long) sizeMb << 20) { // a tmpfs that keeps accepting would be a broken mount
                        throw new IllegalStateException("the " + sizeMb + " MB tmpfs accepted " + (written >> 20)
                                + " MB: it is not the mounted disk");
                    }
                }
            } catch (IOException e) {
                if (!Files.exists(filler)) {
                    throw new UncheckedIOException("cannot write the filler on " + filler, e);
                }
                // no space left for this size: on to the next smaller one
            }
        }
        return written;
    }

    /** Deletes the filler: the disk has room again. */
    void free() {
        try {
            Files.deleteIfExists(disk().resolve(FILLER));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the disk-full fault's filler on " + disk(), e);
        }
    }

    @Override
    public void close() {
        holder.destroyForcibly();
    }
}
