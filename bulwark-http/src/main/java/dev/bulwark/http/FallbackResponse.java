package dev.bulwark.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A response an {@link HttpFallback} serves instead of a failure: a status, headers and a body,
 * delivered through the caller's {@code BodyHandler}. Every fallback response carries the header
 * {@value #HEADER}, so a caller can tell it from a server's answer.
 *
 * <p>Immutable; thread-safe.
 */
public final class FallbackResponse {
  /** The header every fallback response carries, with the value {@code true}. */
  public static final String HEADER = "Bulwark-Fallback";

  private final int statusCode;
  private final Map<String, List<String>> headers;
  private final byte[] body;

  private FallbackResponse(int statusCode, Map<String, List<String>> headers, byte[] body) {
    this.statusCode = statusCode;
    this.headers = headers;
    this.body = body;
  }

  /**
   * A response with {@code statusCode} and a UTF-8 {@code body}.
   *
   * @throws IllegalArgumentException if {@code statusCode} is not in [100, 599]
   * @throws NullPointerException if {@code body} is null
   */
  public static FallbackResponse of(int statusCode, String body) {
    return of(statusCode, Check.notNull("body", body).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * A response with {@code statusCode} and {@code body} (copied).
   *
   * @throws IllegalArgumentException if {@code statusCode} is not in [100, 599]
   * @throws NullPointerException if {@code body} is null
   */
  public static FallbackResponse of(int statusCode, byte[] body) {
    Check.inRange("statusCode", statusCode, 100, 599);
    Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.put(HEADER, List.of("true"));
    return new FallbackResponse(
        statusCode, Collections.unmodifiableMap(headers), Check.notNull("body", body).clone());
  }

  /**
   * This response with {@code value} added to the header {@code name}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public FallbackResponse header(String name, String value) {
    Check.name(name);
    Check.notNull("value", value);
    Map<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    copy.putAll(headers);
    List<String> values = new ArrayList<>(copy.getOrDefault(name, List.of()));
    values.add(value);
    copy.put(name, List.copyOf(values));
    return new FallbackResponse(statusCode, Collections.unmodifiableMap(copy), body);
  }

  /** The status the caller sees. */
  public int statusCode() {
    return statusCode;
  }

  /** The headers the caller sees, names case-insensitive; always holds {@value #HEADER}. */
  public Map<String, List<String>> headers() {
    return headers;
  }

  /** The body's bytes (a copy). */
  public byte[] body() {
    return body.clone();
  }

  byte[] bodyNoCopy() {
    return body;
  }

  @Override
  public String toString() {
    return "FallbackResponse[" + statusCode + ", " + body.length + " bytes]";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FallbackResponse
        && ((FallbackResponse) o).statusCode == statusCode
        && ((FallbackResponse) o).headers.equals(headers)
        && Arrays.equals(((FallbackResponse) o).body, body);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * statusCode + headers.hashCode()) + Arrays.hashCode(body);
  }
}
