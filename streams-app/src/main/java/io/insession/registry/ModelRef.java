package io.insession.registry;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A model version's coordinates in the registry: {@code name:version}.
 *
 * <p>Names and versions are 1 to 128 characters of letters, digits, {@code .}, {@code _} and {@code
 * -}, starting with a letter or digit: they name directories (or object keys) of the registry and
 * appear in every recommendation list, so nothing that could escape a directory or need quoting is
 * allowed.
 *
 * @param name the model's name, e.g. {@code gru4rec-diginetica}
 * @param version the version, e.g. {@code 20261123T191700Z}
 */
public record ModelRef(String name, String version) {

  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  public ModelRef {
    checkPart("model name", name);
    checkPart("model version", version);
  }

  /**
   * Parses {@code NAME:VERSION}.
   *
   * @throws IllegalArgumentException when the text is not {@code NAME:VERSION} with valid parts
   */
  public static ModelRef parse(final String text) {
    Objects.requireNonNull(text, "text");
    final int colon = text.indexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected NAME:VERSION, got '" + text + "'");
    }
    return new ModelRef(text.substring(0, colon), text.substring(colon + 1));
  }

  /**
   * Checks a model name or version.
   *
   * @param what what the text is, for the message ("model name", "model version")
   * @throws IllegalArgumentException when the text is not a valid name or version
   */
  public static String checkPart(final String what, final String text) {
    Objects.requireNonNull(text, what);
    if (!PART.matcher(text).matches()) {
      throw new IllegalArgumentException(
          what
              + " '"
              + text
              + "' is not allowed: use 1 to 128 letters, digits, '.', '_' or '-', starting with a"
              + " letter or digit");
    }
    return text;
  }

  @Override
  public String toString() {
    return name + ":" + version;
  }
}
