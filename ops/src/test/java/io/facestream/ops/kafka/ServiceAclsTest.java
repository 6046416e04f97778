package io.facestream.ops.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.facestream.core.config.FacestreamConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.junit.jupiter.api.Test;

/** docs/security.md lists exactly the ACLs that {@code kafka --secure} grants; names follow the configuration. */
class ServiceAclsTest {
    /** Surefire runs in the module directory (ops/); the docs are at the repository root. */
    private static final Path DOC =
            Path.of("").toAbsolutePath().getParent().resolve("docs").resolve("security.md");

    @Test
    void securityDocListsEveryGrant() throws Exception {
        List<String> expected = ServiceAcls.grants(
                        FacestreamConfig.builder().isolated().build())
                .stream()
                .map(ServiceAclsTest::row)
                .toList();
        List<String> documented = Files.readAllLines(DOC).stream()
                .filter(l -> ServiceAcls.USERS.stream().anyMatch(u -> l.startsWith("| " + u + " |")))
                .toList();
        assertEquals(expected, documented, "docs/security.md's ACL table should be:\n" + String.join("\n", expected));
    }

    @Test
    void configuredNamesAreTheOnesGranted() {
        FacestreamConfig c = FacestreamConfig.builder()
                .isolated()
                .flag("embed.service.group-id", "site-a-embed")
                .flag("match.application-id", "site-a-match")
                .build();
        Map<String, List<String>> names = ServiceAcls.grants(c).stream()
                .collect(Collectors.groupingBy(
                        ServiceAcls.Grant::user,
                        Collectors.mapping(g -> g.type() + ":" + g.name(), Collectors.toList())));
        assertTrue(
                names.get("embed").containsAll(List.of("GROUP:site-a-embed", "TRANSACTIONAL_ID:site-a-embed-")),
                names.toString());
        assertTrue(
                names.get("match")
                        .containsAll(
                                List.of("GROUP:site-a-match", "TOPIC:site-a-match-", "TRANSACTIONAL_ID:site-a-match-")),
                names.toString());
        assertEquals(
                List.of("TOPIC:facestream.frames", "TOPIC:facestream.cameras", "TOPIC:facestream.camera-status"),
                names.get("ingest"),
                "ingest writes frames and camera states and reads the camera specs, nothing else");
    }

    static String row(ServiceAcls.Grant g) {
        String type = g.type().name().toLowerCase(Locale.ROOT).replace('_', ' ');
        String name = "`" + g.name() + (g.pattern() == PatternType.PREFIXED ? "*`" : "`");
        String ops = g.operations().stream().map(ServiceAclsTest::camel).collect(Collectors.joining(", "));
        return "| " + g.user() + " | " + type + " | " + name + " | " + ops + " | " + g.why() + " |";
    }

    /** {@code DESCRIBE_CONFIGS} as kafka-acls.sh writes it: {@code DescribeConfigs}. */
    static String camel(AclOperation op) {
        StringBuilder b = new StringBuilder();
        for (String part : op.name().split("_")) {
            b.append(part.charAt(0)).append(part.substring(1).toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }
}
