package io.facestream.ops.runtime;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The long-running commands ({@code up}, {@code embed}, {@code match}, {@code ingest}) run here: the management port
 * for the process's components, a shutdown hook for Ctrl-C, and a watch that ends the process with exit code 1 when
 * a component has FAILED for good ({@code management.exit-on-failure}), so a supervisor restarts it instead of a
 * process that looks alive and does nothing.
 */
public final class ServiceRunner {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceRunner.class);

    private ServiceRunner() {}

    /** Thrown out of the command when a component failed; the command line exits 1 with this one line. */
    public static final class ComponentFailed extends io.facestream.ops.cli.CommandFailed {
        ComponentFailed(String message) {
            super(message);
        }
    }

    /** Serves health, prints {@code banner}, and blocks until Ctrl-C (returns) or a component fails (throws). */
    public static void run(FacestreamConfig config, AutoCloseable service, HealthRegistry health, String banner) {
        ManagementServer management;
        try {
            management = ManagementServer.start(config, health);
        } catch (RuntimeException e) {
            closeQuietly(service);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        AtomicBoolean closed = new AtomicBoolean();
        Runnable closeAll = () -> {
            if (closed.compareAndSet(false, true)) {
                closeQuietly(management);
                closeQuietly(service);
            }
            stopped.countDown();
        };
        Thread hook = new Thread(closeAll, "facestream-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        System.out.println(banner
                + (management == null
                        ? ""
                        : "; health on http://" + config.getString("management.host") + ":" + management.port()
                                + "/health/ready")
                + "; Ctrl-C to stop");
        boolean exitOnFailure = config.getBoolean("management.exit-on-failure");
        try {
            while (!stopped.await(500, TimeUnit.MILLISECONDS)) {
                String failure = exitOnFailure ? health.report().firstFailure() : null;
                if (failure != null) {
                    LOG.error("stopping: {} (management.exit-on-failure)", failure);
                    closeAll.run();
                    try {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    } catch (IllegalStateException shuttingDown) {
                        // the JVM is exiting anyway
                    }
                    throw new ComponentFailed("a component failed, stopping with exit code 1: " + failure);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("error while stopping {}: {}", c.getClass().getSimpleName(), e.toString());
        }
    }
}
