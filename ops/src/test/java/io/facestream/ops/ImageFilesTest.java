package io.facestream.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.health.Health;
import io.facestream.core.health.HealthRegistry;
import io.facestream.core.health.ManagementServer;
import io.facestream.embed.model.zoo.ModelZoo;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import picocli.CommandLine;

/**
 * No Docker engine runs here, so ops/docker/Dockerfile is read and checked against the code instead of being built:
 * the variants, the non-root runtime without npm, the baked models and the command that bakes them, the health check
 * (whose script is run against a real management port).
 */
class ImageFilesTest {
    /** Surefire runs in the module directory (ops/); the Dockerfile is under the repository root. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();

    private static final Path HEALTHCHECK = ROOT.resolve("ops/docker/healthcheck");
    private static final String HEALTHCHECK_IN_IMAGE = "/opt/facestream/bin/healthcheck";

    /** One instruction of the Dockerfile: continuation lines joined, comments dropped. */
    record Instruction(int stage, String keyword, String args) {}

    /** A stage: its base and its name (null for the unnamed final stage). */
    record Stage(String base, String name) {}

    private static final class Dockerfile {
        final List<String> globalArgs = new ArrayList<>();
        final List<Stage> stages = new ArrayList<>();
        final List<Instruction> instructions = new ArrayList<>();

        static Dockerfile read() throws Exception {
            Dockerfile d = new Dockerfile();
            StringBuilder pending = new StringBuilder();
            for (String raw : Files.readAllLines(ROOT.resolve("ops/docker/Dockerfile"))) {
                String line = raw.strip();
                if (line.startsWith("#") || (line.isEmpty() && pending.isEmpty())) {
                    continue;
                }
                if (line.endsWith("\\")) {
                    pending.append(line, 0, line.length() - 1).append(' ');
                    continue;
                }
                pending.append(line);
                String text = pending.toString().strip();
                pending.setLength(0);
                int space = text.indexOf(' ');
                String keyword = text.substring(0, space).toUpperCase();
                String args = text.substring(space + 1).strip();
                if (keyword.equals("FROM")) {
                    String[] parts = args.split("\\s+");
                    d.stages.add(new Stage(parts[0], parts.length == 3 ? parts[2] : null));
                } else if (d.stages.isEmpty()) {
                    assertEquals("ARG", keyword, "only ARG comes before the first FROM: " + text);
                    d.globalArgs.add(args);
                } else {
                    d.instructions.add(new Instruction(d.stages.size() - 1, keyword, args));
                }
            }
            return d;
        }

        int stage(String name) {
            for (int i = 0; i < stages.size(); i++) {
                if (name.equals(stages.get(i).name())) {
                    return i;
                }
            }
            throw new AssertionError("no stage " + name + ": " + stages);
        }

        int last() {
            return stages.size() - 1;
        }

        List<Instruction> in(int stage) {
            return instructions.stream().filter(i -> i.stage() == stage).toList();
        }

        List<String> args(int stage, String keyword) {
            return in(stage).stream()
                    .filter(i -> i.keyword().equals(keyword))
                    .map(Instruction::args)
                    .toList();
        }

        String globalDefault(String name) {
            return globalArgs.stream()
                    .filter(a -> a.startsWith(name + "="))
                    .map(a -> a.substring(name.length() + 1))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no global ARG " + name + "=...: " + globalArgs));
        }
    }

    @Test
    void theVariantArgumentPicksTheBaseImageAndTheMavenProfile() throws Exception {
        Dockerfile d = Dockerfile.read();
        assertEquals("cpu", d.globalDefault("VARIANT"));
        assertEquals("runtime-${VARIANT}", d.stages.get(d.last()).base(), "the final stage is the variant's runtime");
        assertEquals("${JRE_IMAGE}", d.stages.get(d.stage("runtime-cpu")).base());
        assertTrue(d.globalDefault("JRE_IMAGE").matches("eclipse-temurin:25-jre(-.+)?"), d.globalDefault("JRE_IMAGE"));
        assertEquals("${CUDA_BASE}", d.stages.get(d.stage("runtime-cuda")).base());
        String cuda = d.globalDefault("CUDA_BASE");
        // onnxruntime_gpu's Maven build needs CUDA 12 and cuDNN 9: NVIDIA's cudnn tags of CUDA 12 carry cuDNN 9
        assertTrue(cuda.matches("nvidia/cuda:12\\.\\d+(\\.\\d+)?-cudnn-runtime-ubuntu24\\.04"), cuda);
        assertTrue(
                d.args(d.stage("runtime-cuda"), "COPY")
                        .contains("--from=runtime-cpu /opt/java/openjdk /opt/java/openjdk"),
                "the CUDA image gets the same JRE");
        assertTrue(
                d.args(d.stage("runtime-cuda"), "ENV").contains("FACESTREAM_FACE_DEVICE=cuda"),
                "and embeds on the GPU: " + FacestreamConfig.envName("face.device"));

        int build = d.stage("build");
        assertTrue(d.args(build, "ARG").contains("VARIANT"), "the build stage sees VARIANT");
        String mvn = d.args(build, "RUN").stream()
                .filter(r -> r.contains("mvn "))
                .findFirst()
                .orElseThrow();
        assertTrue(mvn.contains("cpu) profile= ;"), mvn);
        assertTrue(mvn.contains("cuda) profile=-Pcuda ;"), mvn);
        assertTrue(mvn.contains("*) echo \"VARIANT must be cpu or cuda"), "any other value stops the build: " + mvn);
        assertTrue(mvn.matches(".*mvn .*\\$profile package.*"), mvn);

        // the profile swaps the runtimes: with -Pcuda the CPU jar is not on the class path beside the GPU one
        Map<String, Element> profiles = profiles(ROOT.resolve("embed-service/pom.xml"));
        assertEquals(List.of("onnxruntime"), artifacts(profiles.get("cpu")));
        assertEquals(
                "true",
                profiles.get("cpu")
                        .getElementsByTagName("activeByDefault")
                        .item(0)
                        .getTextContent());
        assertEquals(List.of("onnxruntime_gpu"), artifacts(profiles.get("cuda")));
    }

    @Test
    void theRuntimeImageRunsAsAFixedNonRootUserWithoutNpmOrMaven() throws Exception {
        Dockerfile d = Dockerfile.read();
        int build = d.stage("build");
        assertTrue(
                d.args(build, "RUN").stream().anyMatch(r -> r.contains("apt-get install") && r.contains(" npm")),
                "npm is installed where the models are pulled");
        for (int stage : List.of(d.stage("runtime-cpu"), d.stage("runtime-cuda"), d.last())) {
            for (Instruction i : d.in(stage)) {
                String text = i.args().toLowerCase();
                for (String tool : List.of("npm", "nodejs", "node ", "mvn", "maven")) {
                    assertFalse(text.contains(tool), "runtime stage " + stage + " has no " + tool + ": " + i.args());
                }
            }
        }
        List<String> users = d.args(d.last(), "USER");
        assertEquals(1, users.size(), users.toString());
        Matcher uid = Pattern.compile("(\\d+):(\\d+)").matcher(users.get(0));
        assertTrue(uid.matches(), "a numeric uid:gid, so Kubernetes' runAsNonRoot can check it: " + users);
        assertTrue(Integer.parseInt(uid.group(1)) >= 1000, "not root, not a system uid: " + users);
        String setup = String.join("\n", d.args(d.last(), "RUN"));
        assertTrue(setup.contains("--uid " + uid.group(1)) && setup.contains("--gid " + uid.group(2)), setup);
        assertTrue(setup.contains("chown " + uid.group(1) + ":" + uid.group(2) + " /data"), "the user owns /data");
        assertTrue(d.args(d.last(), "VOLUME").contains("[\"/data\"]"));
        // USER comes after every RUN of the final stage, so nothing runs as root after it and the image ends as it
        List<Instruction> last = d.in(d.last());
        int userAt = last.indexOf(last.stream()
                .filter(i -> i.keyword().equals("USER"))
                .findFirst()
                .orElseThrow());
        assertTrue(last.subList(userAt, last.size()).stream()
                .noneMatch(i -> i.keyword().equals("RUN")));
    }

    @Test
    void theEntrypointRunsTheCopiedJarWithTheJvmOptionsAndDataAsHome() throws Exception {
        Dockerfile d = Dockerfile.read();
        List<String> copies = d.args(d.last(), "COPY");
        assertTrue(copies.contains("--from=build /src/ops/target/facestream.jar /opt/facestream/facestream.jar"));
        assertTrue(copies.contains("--from=build /src/ops/target/lib /opt/facestream/lib"), "the jar's Class-Path");
        assertTrue(copies.contains("jvm.options /opt/facestream/jvm.options"));
        assertEquals(
                List.of("[\"java\", \"-Duser.home=/data\", \"@/opt/facestream/jvm.options\", \"-jar\","
                        + " \"/opt/facestream/facestream.jar\"]"),
                d.args(d.last(), "ENTRYPOINT"));
        // models.dir and paths.cache default to ~/.facestream: with user.home=/data they are on the volume
        assertTrue(
                FacestreamConfig.defaults().getString(ModelZoo.MODELS_DIR_KEY).startsWith("~/"));
        List<String> ignored = Files.readAllLines(ROOT.resolve(".dockerignore"));
        assertTrue(ignored.contains("**/target"), "the build context leaves local build outputs out: " + ignored);
    }

    /**
     * The build stage pulls and converts the zoo models into a folder the runtime stage copies and names as
     * {@code models.seed}; the command is parsed by the real command line.
     */
    @Test
    void theModelsAreBakedByACommandTheCliAcceptsAndSeedTheDataVolume() throws Exception {
        Dockerfile d = Dockerfile.read();
        String pull = d.args(d.stage("build"), "RUN").stream()
                .filter(r -> r.contains(" models pull"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("the build stage pulls the models"));
        assertTrue(pull.startsWith("java @jvm.options -jar ops/target/facestream.jar "), pull);
        String[] args = pull.substring("java @jvm.options -jar ops/target/facestream.jar ".length())
                .split("\\s+");
        CommandLine.ParseResult parsed = new CommandLine(new FacestreamCli()).parseArgs(args);
        CommandLine.ParseResult models = parsed.subcommand();
        assertEquals("models", models.commandSpec().name());
        CommandLine.ParseResult pullCommand = models.subcommand();
        assertEquals("pull", pullCommand.commandSpec().name());
        assertFalse(pullCommand.hasMatchedPositional(0), "no names: every zoo model");
        String baked = pullCommand.matchedOption("--dir").getValue().toString();
        assertEquals("/opt/facestream/models", baked);

        assertTrue(
                d.args(d.last(), "COPY").contains("--from=build " + baked + " " + baked),
                "the runtime copies the baked models");
        String seedEnv = FacestreamConfig.envName(ModelZoo.MODELS_SEED_KEY) + "=" + baked;
        assertTrue(d.args(d.last(), "ENV").contains(seedEnv), "the runtime names them as models.seed: " + seedEnv);
        FacestreamConfig inImage = FacestreamConfig.builder()
                .env(Map.of(FacestreamConfig.envName(ModelZoo.MODELS_SEED_KEY), baked))
                .build();
        assertEquals(
                Path.of(baked),
                ModelZoo.store(inImage).seed().orElseThrow().root(),
                "the environment variable reaches the store");
    }

    @Test
    void theImageHealthCheckAsksForReadinessOnTheManagementPort() throws Exception {
        Dockerfile d = Dockerfile.read();
        List<String> checks = d.args(d.last(), "HEALTHCHECK");
        assertEquals(1, checks.size());
        assertTrue(checks.get(0).endsWith("CMD [\"" + HEALTHCHECK_IN_IMAGE + "\"]"), checks.toString());
        assertTrue(d.args(d.last(), "COPY").contains("--chmod=0755 ops/docker/healthcheck " + HEALTHCHECK_IN_IMAGE));
        String script = Files.readString(HEALTHCHECK);
        int port = FacestreamConfig.defaults().getInt("management.port");
        assertTrue(
                script.contains("${2:-${FACESTREAM_MANAGEMENT_PORT:-" + port + "}}"),
                "the default port is management.port's default, " + port);
        assertTrue(script.contains("GET /health/ready "), "readiness, not liveness");
    }

    /** The script itself, run by bash against a real management port that turns from not ready to ready. */
    @Test
    void theHealthCheckScriptTellsReadyFromNotReadyFromNothing() throws Exception {
        AtomicReference<Health> state = new AtomicReference<>(Health.down("consumer group joining"));
        HealthRegistry registry = new HealthRegistry().register("embed", state::get);
        try (ManagementServer server = ManagementServer.start("127.0.0.1", 0, registry)) {
            String port = Integer.toString(server.port());
            Result notReady = run(Map.of(), "127.0.0.1", port);
            assertEquals(1, notReady.code(), notReady.toString());
            assertTrue(notReady.err().contains("not ready: HTTP/1.1 503"), notReady.toString());
            assertTrue(notReady.err().contains("consumer group joining"), "names the component: " + notReady);

            state.set(Health.up("assigned"));
            Result ready = run(Map.of(), "127.0.0.1", port);
            assertEquals(0, ready.code(), ready.toString());
            // without arguments: the port from the environment, as FACESTREAM_MANAGEMENT_PORT sets management.port
            assertEquals(
                    0,
                    run(Map.of(FacestreamConfig.envName("management.port"), port))
                            .code());

            state.set(Health.failed("broker gone"));
            assertEquals(1, run(Map.of(), "127.0.0.1", port).code());
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Result nothing = run(Map.of(), "127.0.0.1", Integer.toString(closed));
        assertEquals(1, nothing.code(), nothing.toString());
        assertTrue(nothing.err().contains("nothing answers on 127.0.0.1:" + closed), nothing.toString());
    }

    record Result(int code, String err) {}

    private static Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", HEALTHCHECK.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().remove(FacestreamConfig.envName("management.port"));
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the script ends by itself");
        return new Result(p.exitValue(), new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Map<String, Element> profiles(Path pom) throws Exception {
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile());
        Map<String, Element> out = new java.util.TreeMap<>();
        NodeList list = doc.getElementsByTagName("profile");
        for (int i = 0; i < list.getLength(); i++) {
            Element p = (Element) list.item(i);
            out.put(p.getElementsByTagName("id").item(0).getTextContent(), p);
        }
        return out;
    }

    private static List<String> artifacts(Element profile) {
        assertNotNull(profile);
        List<String> out = new ArrayList<>();
        NodeList deps = profile.getElementsByTagName("artifactId");
        for (int i = 0; i < deps.getLength(); i++) {
            out.add(deps.item(i).getTextContent());
        }
        return out;
    }
}
