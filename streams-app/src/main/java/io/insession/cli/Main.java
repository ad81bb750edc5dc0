package io.insession.cli;

/** Entry point placeholder. */
public final class Main {
  private Main() {}

  public static void main(final String[] args) {
    // replaced by the picocli entry point
  }
}
