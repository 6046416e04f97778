package io.facestream.embed.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The embed instance's name when {@code embed.service.instance-id} is not set: a UUID kept in the state directory,
 * one per slot. An instance holds its slot's file lock while it runs, so a second instance on the same host takes the
 * next slot and gets another name (its own transactional id: the two never fence each other), while an instance
 * restarted on the same host takes its old slot again and fences its own zombie producer.
 */
final class InstanceIdentity implements AutoCloseable {
    static final int SLOTS = 64;
    private final String id;
    private final FileChannel channel;
    private final FileLock lock;

    private InstanceIdentity(String id, FileChannel channel, FileLock lock) {
        this.id = id;
        this.channel = channel;
        this.lock = lock;
    }

    /** Claims the first free slot under {@code dir} (created if missing). */
    static InstanceIdentity claim(Path dir) {
        try {
            Files.createDirectories(dir);
            for (int slot = 0; slot < SLOTS; slot++) {
                FileChannel channel = FileChannel.open(
                        dir.resolve("instance-" + slot + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock;
                try {
                    lock = channel.tryLock();
                } catch (OverlappingFileLockException e) {
                    lock = null; // held by another instance in this JVM
                }
                if (lock == null) {
                    channel.close();
                    continue;
                }
                Path idFile = dir.resolve("instance-" + slot + ".id");
                String id;
                if (Files.isRegularFile(idFile)) {
                    id = Files.readString(idFile, StandardCharsets.UTF_8).trim();
                } else {
                    id = "embed-" + UUID.randomUUID();
                    Path tmp = dir.resolve("instance-" + slot + ".id.tmp");
                    Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
                    Files.move(tmp, idFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                }
                return new InstanceIdentity(id, channel, lock);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "cannot keep the embed instance id in " + dir
                            + " (set embed.service.state-dir to a writable folder, or embed.service.instance-id)",
                    e);
        }
        throw new IllegalStateException(SLOTS + " embed instances already run from " + dir
                + "; give each its own embed.service.state-dir or embed.service.instance-id");
    }

    String id() {
        return id;
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }
}
