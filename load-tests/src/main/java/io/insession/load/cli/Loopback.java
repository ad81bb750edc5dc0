package io.insession.load.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** The generator sends load to this machine only, unless told otherwise. */
final class Loopback {

  private Loopback() {}

  /**
   * Checks every host of a {@code host:port[,host:port]} list is a loopback address.
   *
   * @throws IllegalArgumentException naming the first host that is not
   */
  static void require(final String hostPorts, final boolean allowOther) {
    if (allowOther) {
      return;
    }
    for (final String hostPort : hostPorts.split(",")) {
      final String trimmed = hostPort.strip();
      final int colon = trimmed.lastIndexOf(':');
      final String host = colon < 0 ? trimmed : trimmed.substring(0, colon);
      try {
        if (!InetAddress.getByName(host).isLoopbackAddress()) {
          throw new IllegalArgumentException(
              host
                  + " is not a loopback address: load goes to this machine only"
                  + " (--allow-non-loopback overrides, e.g. inside docker compose)");
        }
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("unknown host " + host, e);
      }
    }
  }
}
