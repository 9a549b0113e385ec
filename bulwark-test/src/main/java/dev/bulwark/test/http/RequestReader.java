package dev.bulwark.test.http;

import static java.util.Locale.ROOT;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Reads HTTP/1.1 requests from one connection's input, through a buffer it owns so that bytes read
 * while watching a stalled request (see {@link #watch()}) are kept for the next request.
 *
 * <p>Not thread-safe: only its connection's thread uses it.
 */
final class RequestReader {
  private static final int MAX_LINE = 16 * 1024;
  private static final int MAX_HEADERS = 256;
  private static final int MAX_BODY = 16 * 1024 * 1024;

  /** What {@link #watch()} saw. */
  enum Watch {
    QUIET,
    DATA,
    END
  }

  /** The request line and headers of one request. */
  record Head(String method, String target, String version, Map<String, List<String>> headers) {
    @Nullable String first(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }

    boolean hasToken(String name, String token) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          for (String value : e.getValue()) {
            for (String part : value.split(",")) {
              if (part.trim().equalsIgnoreCase(token)) {
                return true;
              }
            }
          }
        }
      }
      return false;
    }
  }

  private final InputStream in;
  private byte[] buf = new byte[8192];
  private int start;
  private int end;

  RequestReader(InputStream in) {
    this.in = in;
  }

  /**
   * Reads the next request's line and headers; null if the stream ended cleanly before it began.
   */
  @Nullable Head readHead() throws IOException {
    String line = readLine(true);
    if (line == null) {
      return null;
    }
    while (line.isEmpty()) { // tolerated: stray CRLF between requests (RFC 9112 2.2)
      line = readLine(true);
      if (line == null) {
        return null;
      }
    }
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw new MalformedRequestException("request line is not 'METHOD target HTTP/1.x': " + line);
    }
    if (!parts[2].startsWith("HTTP/1.")) {
      throw new MalformedRequestException("only HTTP/1.x is spoken, got: " + line);
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int count = 0; ; count++) {
      String header = line();
      if (header.isEmpty()) {
        break;
      }
      if (count >= MAX_HEADERS) {
        throw new MalformedRequestException("more than " + MAX_HEADERS + " headers");
      }
      int colon = header.indexOf(':');
      if (colon <= 0 || header.charAt(0) == ' ' || header.charAt(0) == '\t') {
        throw new MalformedRequestException("header is not 'name: value': " + header);
      }
      String name = header.substring(0, colon).trim();
      String value = header.substring(colon + 1).trim();
      headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
    return new Head(parts[0], parts[1], parts[2], headers);
  }

  /** Reads the body {@code head} announces: chunked, by Content-Length, or none. */
  byte[] readBody(Head head) throws IOException {
    String transferEncoding = head.first("Transfer-Encoding");
    if (transferEncoding != null) {
      if (!transferEncoding.toLowerCase(ROOT).endsWith("chunked")) {
        throw new MalformedRequestException("unsupported Transfer-Encoding: " + transferEncoding);
      }
      return readChunked();
    }
    String contentLength = head.first("Content-Length");
    if (contentLength == null) {
      return new byte[0];
    }
    long length;
    try {
      length = Long.parseLong(contentLength.trim());
    } catch (NumberFormatException e) {
      throw new MalformedRequestException("Content-Length is not a number: " + contentLength);
    }
    if (length < 0 || length > MAX_BODY) {
      throw new MalformedRequestException(
          "Content-Length must be in [0, " + MAX_BODY + "], was " + length);
    }
    return readExactly((int) length);
  }

  /**
   * Waits for the client once, for at most the socket's read timeout, keeping any bytes it sends.
   *
   * @return {@link Watch#END} if the client closed its side, {@link Watch#DATA} if it sent bytes,
   *     {@link Watch#QUIET} if nothing happened before the timeout
   * @throws IOException if the connection failed, for example because the client reset it
   */
  Watch watch() throws IOException {
    try {
      return fill() ? Watch.DATA : Watch.END;
    } catch (SocketTimeoutException quiet) {
      return Watch.QUIET;
    }
  }

  private byte[] readChunked() throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String sizeLine = line();
      int semicolon = sizeLine.indexOf(';');
      String hex = (semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim();
      int size;
      try {
        size = Integer.parseInt(hex, 16);
      } catch (NumberFormatException e) {
        throw new MalformedRequestException("chunk size is not hexadecimal: " + sizeLine);
      }
      if (size < 0 || body.size() + (long) size > MAX_BODY) {
        throw new MalformedRequestException("chunked body is over " + MAX_BODY + " bytes");
      }
      if (size == 0) {
        while (!line().isEmpty()) {
          // trailers are read and dropped
        }
        return body.toByteArray();
      }
      body.write(readExactly(size));
      if (!line().isEmpty()) {
        throw new MalformedRequestException("chunk of " + size + " bytes not followed by CRLF");
      }
    }
  }

  private byte[] readExactly(int length) throws IOException {
    byte[] out = new byte[length];
    int copied = 0;
    while (copied < length) {
      if (start == end && !fill()) {
        throw new EOFException("stream ended after " + copied + " of " + length + " body bytes");
      }
      int n = Math.min(length - copied, end - start);
      System.arraycopy(buf, start, out, copied, n);
      start += n;
      copied += n;
    }
    return out;
  }

  /** A line that must be there: the stream ending first is an {@code EOFException}. */
  private String line() throws IOException {
    return Objects.requireNonNull(readLine(false)); // readLine(false) throws rather than end
  }

  /**
   * A line without its CRLF (or bare LF), decoded as ISO-8859-1; null at a clean end if allowed.
   */
  private @Nullable String readLine(boolean endAllowed) throws IOException {
    int scanned = start;
    while (true) {
      for (; scanned < end; scanned++) {
        if (buf[scanned] == '\n') {
          int lineEnd = scanned > start && buf[scanned - 1] == '\r' ? scanned - 1 : scanned;
          String line = new String(buf, start, lineEnd - start, StandardCharsets.ISO_8859_1);
          start = scanned + 1;
          return line;
        }
      }
      if (end - start > MAX_LINE) {
        throw new MalformedRequestException("line longer than " + MAX_LINE + " bytes");
      }
      int before = start;
      if (!fill()) {
        if (endAllowed && start == end) {
          return null;
        }
        throw new EOFException("stream ended inside a request head");
      }
      scanned -= before - start; // fill() may have moved the unread bytes to the front
    }
  }

  /** Reads more bytes into the buffer; false at end of stream. */
  private boolean fill() throws IOException {
    if (start > 0) {
      System.arraycopy(buf, start, buf, 0, end - start);
      end -= start;
      start = 0;
    }
    if (end == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    int n = in.read(buf, end, buf.length - end);
    if (n < 0) {
      return false;
    }
    end += n;
    return true;
  }
}
