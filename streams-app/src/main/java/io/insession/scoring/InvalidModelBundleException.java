package io.insession.scoring;

/**
 * A model bundle that must not be served: a missing or corrupt file, metadata that breaks the
 * bundle contract (docs/model-bundle.md), or an ONNX graph that does not match its metadata. The
 * message always names the file and the mismatch, because the operator has to fix the bundle, not
 * the code.
 */
public class InvalidModelBundleException extends RuntimeException {

  /** A bundle problem described by {@code message} ("file: what is wrong"). */
  public InvalidModelBundleException(final String message) {
    super(message);
  }

  /** A bundle problem found while reading a file, with the underlying cause. */
  public InvalidModelBundleException(final String message, final Throwable cause) {
    super(message, cause);
  }
}
