package io.facestream.ops.kafka;

import static org.apache.kafka.common.acl.AclOperation.ALTER_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.CREATE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE;
import static org.apache.kafka.common.acl.AclOperation.DESCRIBE_CONFIGS;
import static org.apache.kafka.common.acl.AclOperation.READ;
import static org.apache.kafka.common.acl.AclOperation.WRITE;
import static org.apache.kafka.common.resource.PatternType.LITERAL;
import static org.apache.kafka.common.resource.PatternType.PREFIXED;
import static org.apache.kafka.common.resource.ResourceType.GROUP;
import static org.apache.kafka.common.resource.ResourceType.TOPIC;
import static org.apache.kafka.common.resource.ResourceType.TRANSACTIONAL_ID;

import io.facestream.core.config.FacestreamConfig;
import io.facestream.core.topics.TopicCatalog;
import io.facestream.gallery.replication.GalleryWriter;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The least-privilege ACLs of facestream's services: one principal per service, allowed exactly what its clients do
 * (docs/security.md has this table; a test keeps the two equal). Names that come from the configuration (the embed
 * group, the match application id) are read from it. Anything not granted is refused: the broker runs the
 * StandardAuthorizer with {@code allow.everyone.if.no.acl.found=false}.
 */
public final class ServiceAcls {
    /** One SCRAM user per service; {@code admin} runs {@code facestream topics}. */
    public static final List<String> USERS = List.of("admin", "ingest", "embed", "match", "trainer");
    /** The re-embedding leadership group of match-service: this prefix and the model's name. */
    static final String REEMBED_GROUP_PREFIX = "facestream-match-reembed.";

    /** Operations {@code user} may do on one resource (a literal name or a name prefix), and why. */
    public record Grant(
            String user,
            ResourceType type,
            String name,
            PatternType pattern,
            List<AclOperation> operations,
            String why) {
        public String principal() {
            return "User:" + user;
        }
    }

    private ServiceAcls() {}

    public static List<Grant> grants(FacestreamConfig config) {
        String embedGroup = config.getString("embed.service.group-id");
        String matchApp = config.getString("match.application-id");
        List<Grant> g = new ArrayList<>();
        g.add(
                new Grant(
                        "admin",
                        TOPIC,
                        "facestream.",
                        PREFIXED,
                        List.of(CREATE, DESCRIBE, DESCRIBE_CONFIGS, ALTER_CONFIGS),
                        "`facestream topics` (and `up`): create the topics, list them with their settings; `--apply` sets drifted configs"));

        g.add(new Grant(
                "ingest", TOPIC, TopicCatalog.FRAMES, LITERAL, List.of(WRITE), "publish frames (idempotent producer)"));
        g.add(new Grant(
                "ingest",
                TOPIC,
                TopicCatalog.CAMERAS,
                LITERAL,
                List.of(READ),
                "follow the cameras added, changed, paused and removed through the API"));
        g.add(new Grant(
                "ingest",
                TOPIC,
                TopicCatalog.CAMERA_STATUS,
                LITERAL,
                List.of(WRITE),
                "report each camera's state, rate, reconnects and last error"));

        g.add(new Grant("embed", TOPIC, TopicCatalog.FRAMES, LITERAL, List.of(READ), "consume frames"));
        g.add(new Grant(
                "embed",
                GROUP,
                embedGroup,
                LITERAL,
                List.of(READ),
                "its consumer group (`embed.service.group-id`), offsets committed in its transactions"));
        g.add(new Grant(
                "embed",
                TRANSACTIONAL_ID,
                embedGroup + "-",
                PREFIXED,
                List.of(WRITE),
                "its transactional ids (group id + instance id)"));
        g.add(new Grant("embed", TOPIC, TopicCatalog.FACES, LITERAL, List.of(WRITE), "face observations"));
        g.add(new Grant("embed", TOPIC, TopicCatalog.DLQ, LITERAL, List.of(WRITE), "frames it cannot use"));
        g.add(new Grant("embed", TOPIC, TopicCatalog.MODELS, LITERAL, List.of(READ), "follow model releases"));
        g.add(new Grant(
                "embed",
                TOPIC,
                TopicCatalog.LATE_FRAMES,
                LITERAL,
                List.of(READ, WRITE),
                "frames skipped as late by the live path, for the catch-up pass"));
        g.add(new Grant(
                "embed",
                GROUP,
                embedGroup + "-catch-up",
                LITERAL,
                List.of(READ),
                "the catch-up pass's consumer group (`embed.service.group-id` + `-catch-up`)"));

        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.FACES,
                LITERAL,
                List.of(READ),
                "Kafka Streams input; the API reads crops back"));
        g.add(new Grant(
                "match", GROUP, matchApp, LITERAL, List.of(READ), "the Kafka Streams group (`match.application-id`)"));
        g.add(new Grant(
                "match",
                TOPIC,
                matchApp + "-",
                PREFIXED,
                List.of(CREATE, DESCRIBE, DESCRIBE_CONFIGS, READ, WRITE),
                "Kafka Streams' internal topics (state store changelogs)"));
        g.add(new Grant(
                "match",
                TRANSACTIONAL_ID,
                matchApp + "-",
                PREFIXED,
                List.of(WRITE),
                "Kafka Streams' exactly-once transactions"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.MATCHES,
                LITERAL,
                List.of(READ, WRITE),
                "decisions out; the API's live feed reads them"));
        g.add(new Grant("match", TOPIC, TopicCatalog.DLQ, LITERAL, List.of(WRITE), "face records it refuses"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.GALLERY,
                LITERAL,
                List.of(READ, WRITE, DESCRIBE_CONFIGS),
                "the gallery replica (it reads `delete.retention.ms` to know when it must rebuild); enrolment and re-embedding through the API; "
                        + "deletes (it reads `segment.ms` for the roll marker)"));
        g.add(new Grant(
                "match",
                TRANSACTIONAL_ID,
                GalleryWriter.TRANSACTIONAL_ID_PREFIX,
                PREFIXED,
                List.of(WRITE),
                "gallery changes are published as transactions (a re-enrolment or a delete all or nothing)"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.MODELS,
                LITERAL,
                List.of(READ),
                "follow model releases (blue/green re-embedding)"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.CAMERAS,
                LITERAL,
                List.of(READ, WRITE),
                "cameras added, changed, paused and removed through the API (`/api/cameras`), read back to list them"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.CAMERA_STATUS,
                LITERAL,
                List.of(READ),
                "camera states for `GET /api/cameras`"));
        g.add(new Grant(
                "match",
                TOPIC,
                TopicCatalog.FRAMES,
                LITERAL,
                List.of(READ),
                "a camera's latest frame for `GET /api/cameras/{camera}/snapshot` (audited like every face read)"));
        g.add(new Grant(
                "match",
                GROUP,
                REEMBED_GROUP_PREFIX,
                PREFIXED,
                List.of(READ),
                "the re-embedding leadership group per model"));
        g.add(new Grant(
                "match",
                GROUP,
                config.getString("notify.group"),
                LITERAL,
                List.of(READ),
                "decisions read again for notifications (MQTT, webhooks) as their own group (`notify.group`)"));
        g.add(
                new Grant(
                        "match",
                        TOPIC,
                        TopicCatalog.FEEDBACK,
                        LITERAL,
                        List.of(READ, WRITE, DESCRIBE_CONFIGS),
                        "operator feedback from the API; read back to tombstone feedback about people in no gallery after `privacy.unknown-retention` and about a deleted subject (and `segment.ms` for the roll marker)"));

        g.add(new Grant("trainer", TOPIC, TopicCatalog.FEEDBACK, LITERAL, List.of(READ), "feedback crops to train on"));
        g.add(new Grant(
                "trainer",
                TOPIC,
                TopicCatalog.MODELS,
                LITERAL,
                List.of(READ, WRITE),
                "the released version; publish a release"));
        return g;
    }

    /** The grants as ACL bindings: one ALLOW entry per operation, from any host. */
    public static List<AclBinding> bindings(FacestreamConfig config) {
        List<AclBinding> out = new ArrayList<>();
        for (Grant g : grants(config)) {
            for (AclOperation op : g.operations()) {
                out.add(new AclBinding(
                        new ResourcePattern(g.type(), g.name(), g.pattern()),
                        new AccessControlEntry(g.principal(), "*", op, AclPermissionType.ALLOW)));
            }
        }
        return out;
    }
}
