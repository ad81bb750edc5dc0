package io.insession.registry;

/**
 * A publish was refused because the name and version are taken by different content (or a different
 * parent): versions are immutable.
 */
public class VersionConflictException extends ModelRegistryException {

  /** The conflict, with the first difference. */
  public VersionConflictException(final String message) {
    super(message);
  }
}
