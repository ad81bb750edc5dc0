package io.insession.e2e;

import io.insession.config.InSessionConfig;
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
 * The ACLs each InSession principal needs, as docs/security-kafka.md lists them: the tests grant
 * exactly these and nothing more.
 */
final class InSessionAcls {

  private InSessionAcls() {}

  /**
   * {@code insession run}: the stream, its lag gauges, the deployment follower and the catalogue's
   * global store, the trending topic. It creates its seven topics when missing (CREATE; drop it
   * when an operator creates them) and its internal topics, group and transactional ids all start
   * with the application id.
   */
  static List<AclBinding> stream(final String principal, final InSessionConfig config) {
    final List<AclBinding> acls = new ArrayList<>();
    final String weblog = config.getString(InSessionConfig.WEBLOG_TOPIC);
    final String recommendations = config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC);
    final String deadLetter = config.getString(InSessionConfig.DEAD_LETTER_TOPIC);
    final String deployments = config.getString(InSessionConfig.DEPLOYMENTS_TOPIC);
    final String applicationId = config.applicationId();
    topic(acls, principal, weblog, AclOperation.READ, AclOperation.CREATE);
    topic(acls, principal, recommendations, AclOperation.WRITE, AclOperation.CREATE);
    topic(acls, principal, deadLetter, AclOperation.WRITE, AclOperation.CREATE);
    topic(acls, principal, deployments, AclOperation.READ, AclOperation.CREATE);
    topic(
        acls,
        principal,
        config.getString(InSessionConfig.CATALOG_TOPIC),
        AclOperation.READ,
        AclOperation.CREATE);
    topic(
        acls,
        principal,
        config.getString(InSessionConfig.TRENDING_TOPIC),
        AclOperation.READ,
        AclOperation.WRITE,
        AclOperation.CREATE);
    topic(
        acls,
        principal,
        config.getString(InSessionConfig.EXPERIMENTS_TOPIC),
        AclOperation.WRITE,
        AclOperation.CREATE);
    acls.add(
        allow(
            principal,
            new ResourcePattern(ResourceType.TOPIC, applicationId, PatternType.PREFIXED),
            AclOperation.ALL));
    for (final AclOperation operation : List.of(AclOperation.READ, AclOperation.DESCRIBE)) {
      acls.add(
          allow(
              principal,
              new ResourcePattern(ResourceType.GROUP, applicationId, PatternType.LITERAL),
              operation));
    }
    for (final AclOperation operation : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
      acls.add(
          allow(
              principal,
              new ResourcePattern(
                  ResourceType.TRANSACTIONAL_ID, applicationId, PatternType.PREFIXED),
              operation));
    }
    return acls;
  }

  /** {@code insession lookup}: reads the lists; its event collector writes events. */
  static List<AclBinding> lookup(final String principal, final InSessionConfig config) {
    final List<AclBinding> acls = new ArrayList<>();
    topic(
        acls,
        principal,
        config.getString(InSessionConfig.RECOMMENDATIONS_TOPIC),
        AclOperation.READ);
    topic(acls, principal, config.getString(InSessionConfig.TRENDING_TOPIC), AclOperation.READ);
    topic(acls, principal, config.getString(InSessionConfig.WEBLOG_TOPIC), AclOperation.WRITE);
    topic(acls, principal, config.getString(InSessionConfig.EXPERIMENTS_TOPIC), AclOperation.READ);
    return acls;
  }

  /**
   * The operator's CLI: {@code models deploy|history|rollback} (the deployments topic, created when
   * missing) and {@code sessions forget} (writes a control record to the weblog topic).
   */
  static List<AclBinding> cli(final String principal, final InSessionConfig config) {
    final List<AclBinding> acls = new ArrayList<>();
    topic(
        acls,
        principal,
        config.getString(InSessionConfig.DEPLOYMENTS_TOPIC),
        AclOperation.READ,
        AclOperation.WRITE,
        AclOperation.CREATE);
    topic(acls, principal, config.getString(InSessionConfig.WEBLOG_TOPIC), AclOperation.WRITE);
    return acls;
  }

  /** {@code operations} on the literal topic, plus DESCRIBE and DESCRIBE_CONFIGS. */
  private static void topic(
      final List<AclBinding> acls,
      final String principal,
      final String topic,
      final AclOperation... operations) {
    final ResourcePattern pattern =
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL);
    acls.add(allow(principal, pattern, AclOperation.DESCRIBE));
    acls.add(allow(principal, pattern, AclOperation.DESCRIBE_CONFIGS));
    for (final AclOperation operation : operations) {
      acls.add(allow(principal, pattern, operation));
    }
  }

  private static AclBinding allow(
      final String principal, final ResourcePattern pattern, final AclOperation operation) {
    return new AclBinding(
        pattern, new AccessControlEntry(principal, "*", operation, AclPermissionType.ALLOW));
  }
}
