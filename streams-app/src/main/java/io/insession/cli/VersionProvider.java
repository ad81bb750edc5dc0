package io.insession.cli;

import picocli.CommandLine.IVersionProvider;

/** The version from the jar manifest (or "dev" when run from classes). */
final class VersionProvider implements IVersionProvider {
  @Override
  public String[] getVersion() {
    final String version = Main.class.getPackage().getImplementationVersion();
    return new String[] {"insession " + (version == null ? "dev" : version)};
  }
}
