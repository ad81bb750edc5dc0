package io.insession.registry;

/**
 * A stored version no longer matches what was published (a file changed, added or removed, or its
 * registry record is missing or unreadable): it must not be served. The message names the version,
 * the file and the mismatch.
 */
public class CorruptModelVersionException extends ModelRegistryException {

  /** The mismatch. */
  public CorruptModelVersionException(final String message) {
    super(message);
  }

  /** The mismatch, with the error that revealed it. */
  public CorruptModelVersionException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
