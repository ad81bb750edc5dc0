package io.insession.registry;

/** No model of that name, or no such version of it, is published in the registry. */
public class ModelNotFoundException extends ModelRegistryException {

  /** Nothing published under what {@code message} names. */
  public ModelNotFoundException(final String message) {
    super(message);
  }
}
