package io.insession.registry;

/**
 * The registry cannot do what was asked; the message says what and where. Subclasses tell apart an
 * unknown version, a refused publish and a stored version that fails verification.
 */
public class ModelRegistryException extends RuntimeException {

  /** A registry problem described by {@code message}. */
  public ModelRegistryException(final String message) {
    super(message);
  }

  /** A registry problem with its underlying cause (usually an I/O error). */
  public ModelRegistryException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
