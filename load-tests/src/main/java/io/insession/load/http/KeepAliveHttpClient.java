package io.insession.load.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * A minimal blocking HTTP/1.1 client on one keep-alive connection: GET only, body skipped
 * (Content-Length or chunked). It costs a few microseconds per request, so a load test measures the
 * server rather than the client ({@code java.net.http} spends several times more CPU per request,
 * which on 2 shared cores would cap the figure). Loopback addresses only.
 */
public final class KeepAliveHttpClient implements AutoCloseable {

  private static final int TIMEOUT_MS = 10_000;

  private final String host;
  private final int port;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /**
   * @throws IllegalArgumentException when {@code host} is not a loopback address
   */
  public KeepAliveHttpClient(final String host, final int port) throws IOException {
    if (!InetAddress.getByName(host).isLoopbackAddress()) {
      throw new IllegalArgumentException("load goes to loopback only, not to " + host);
    }
    this.host = host;
    this.port = port;
  }

  /**
   * Sends {@code GET path} and reads the whole answer.
   *
   * @return the status code
   */
  public int get(final String path) throws IOException {
    if (socket == null) {
      connect();
    }
    final String request =
        "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAccept: */*\r\n\r\n";
    out.write(request.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    final String status = line();
    if (!status.startsWith("HTTP/1.")) {
      throw new IOException("not an HTTP answer: " + status);
    }
    final int code = Integer.parseInt(status.substring(9, 12));
    long length = -1;
    boolean chunked = false;
    boolean close = false;
    for (String header = line(); !header.isEmpty(); header = line()) {
      final String lower = header.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
        chunked = true;
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (chunked) {
      for (long size = chunkSize(); size > 0; size = chunkSize()) {
        skip(size);
        line();
      }
      for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
        // trailers are ignored
      }
    } else if (length > 0) {
      skip(length);
    }
    if (close) {
      disconnect();
    }
    return code;
  }

  private void connect() throws IOException {
    socket = new Socket();
    socket.setTcpNoDelay(true);
    socket.setSoTimeout(TIMEOUT_MS);
    socket.connect(new InetSocketAddress(host, port), TIMEOUT_MS);
    in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
    out = new BufferedOutputStream(socket.getOutputStream(), 1024);
  }

  private long chunkSize() throws IOException {
    final String size = line();
    final int semicolon = size.indexOf(';');
    return Long.parseLong((semicolon < 0 ? size : size.substring(0, semicolon)).strip(), 16);
  }

  private void skip(final long bytes) throws IOException {
    long left = bytes;
    while (left > 0) {
      final long skipped = in.skip(left);
      if (skipped <= 0) {
        if (in.read() < 0) {
          throw new EOFException("connection closed inside a body");
        }
        left--;
      } else {
        left -= skipped;
      }
    }
  }

  private String line() throws IOException {
    final StringBuilder b = new StringBuilder(64);
    while (true) {
      final int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed");
      }
      if (c == '\n') {
        final int end = b.length();
        return end > 0 && b.charAt(end - 1) == '\r' ? b.substring(0, end - 1) : b.toString();
      }
      b.append((char) c);
    }
  }

  /** Drops the connection (e.g. after an error); the next {@link #get} opens a new one. */
  public void disconnect() throws IOException {
    if (socket != null) {
      final Socket open = socket;
      socket = null;
      open.close();
    }
  }

  @Override
  public void close() throws IOException {
    disconnect();
  }
}
