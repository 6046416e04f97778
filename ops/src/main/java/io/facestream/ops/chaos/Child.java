package io.facestream.ops.chaos;

import io.facestream.core.process.ChildJvm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code facestream} process of the campaign (broker, embed or match instance) as its own JVM: started again
 * with the same arguments after a kill, so a restart is the same instance (same instance id, state directory, port).
 * Faults are signals: SIGKILL ({@link #kill()}), SIGTERM and a wait for the clean exit ({@link #stop()}),
 * SIGSTOP / SIGCONT ({@link #pause()}, {@link #resume()}).
 */
final class Child {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final String name;
    private final Path dir;
    private final List<String> jvmFlags;
    private final List<String> args;
    private final int managementPort;
    private volatile List<String> launcher = List.of();
    private volatile Process process;
    private boolean expectedDown = true;
    private int unplannedExits;

    Child(String name, Path dir, List<String> jvmFlags, List<String> args, int managementPort) {
        this.name = name;
        this.dir = dir;
        this.jvmFlags = List.copyOf(jvmFlags);
        this.args = List.copyOf(args);
        this.managementPort = managementPort;
    }

    String name() {
        return name;
    }

    Path log() {
        return dir.resolve(name + ".log");
    }

    synchronized void start() {
        try {
            Files.createDirectories(dir);
            Files.writeString(
                    log(),
                    "---- start " + java.time.Instant.now() + "\n",
                    java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            process = ChildJvm.start(dir, log(), launcher, "io.facestream.ops.FacestreamCli", jvmFlags, args);
            expectedDown = false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " (log " + log() + ")", e);
        }
    }

    /** Every start from now on runs the JVM through this command prefix (e.g. {@link DiskJail#enter()}). */
    void launchWith(List<String> prefix) {
        this.launcher = List.copyOf(prefix);
    }

    synchronized boolean alive() {
        return process != null && process.isAlive();
    }

    /** True once: the process ended although no fault of the campaign stopped it (it is then counted). */
    synchronized boolean exitedByItself() {
        if (!expectedDown && process != null && !process.isAlive()) {
            expectedDown = true;
            unplannedExits++;
            return true;
        }
        return false;
    }

    synchronized int unplannedExits() {
        return unplannedExits;
    }

    /** SIGKILL: no shutdown hook runs, open transactions stay open until the next owner fences or aborts them. */
    void kill() throws InterruptedException {
        Process p;
        synchronized (this) {
            expectedDown = true;
            p = process;
        }
        if (p != null) {
            p.destroyForcibly().waitFor();
        }
    }

    /** SIGKILL without waiting, from the campaign's shutdown hook. */
    void killQuietly() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
        }
    }

    /** SIGTERM, and a wait of up to {@code timeout} for the clean exit (then SIGKILL). */
    void stop(Duration timeout) throws InterruptedException {
        Process p;
        synchronized (this) {
            expectedDown = true;
            p = process;
        }
        if (p != null && p.isAlive()) {
            p.destroy();
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    void pause() {
        signal("STOP");
    }

    void resume() {
        signal("CONT");
    }

    private void signal(String sig) {
        long pid;
        synchronized (this) {
            pid = process.pid();
        }
        try {
            Process kill = new ProcessBuilder(List.of("kill", "-" + sig, Long.toString(pid)))
                    .redirectErrorStream(true)
                    .start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -" + sig + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run kill -" + sig + " (procps or coreutils must be installed)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + name, e);
        }
    }

    /** The management port's {@code GET /health/ready}: 200 = true, 503 = false, no answer = null. */
    Boolean ready() {
        HttpResponse<String> r = readiness();
        return r == null ? null : r.statusCode() == 200;
    }

    /** The body of {@code GET /health/ready} (each component's state and detail), null without an answer. */
    String readinessBody() {
        HttpResponse<String> r = readiness();
        return r == null ? null : r.body();
    }

    private HttpResponse<String> readiness() {
        if (managementPort <= 0) {
            return null;
        }
        try {
            return HTTP.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/health/ready"))
                            .timeout(Duration.ofSeconds(2))
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** Waits until the process answers ready; false after {@code timeout} or once it has exited. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < until && alive()) {
            if (Boolean.TRUE.equals(ready())) {
                return true;
            }
            Thread.sleep(250);
        }
        return false;
    }

    /** The last lines of the log, for a failure message. */
    String tail(int lines) {
        try {
            List<String> all = Files.exists(log()) ? Files.readAllLines(log()) : List.of();
            return String.join("\n", new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size())));
        } catch (IOException e) {
            return "(cannot read " + log() + ": " + e.getMessage() + ")";
        }
    }
}
