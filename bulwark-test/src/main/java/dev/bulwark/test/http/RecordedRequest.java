package dev.bulwark.test.http;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One request as a {@link ScriptedHttpServer} read it, recorded before it was answered.
 *
 * <p>Immutable; thread-safe. {@code equals} compares the body by identity.
 *
 * @param method the request method as sent, e.g. {@code "GET"}
 * @param path the request target as sent, with any query, e.g. {@code "/items/1?full=true"}
 * @param headers every header, names case-insensitive, values in arrival order; unmodifiable
 * @param body the body after removing any chunked framing; empty if none (copied in and out)
 * @param connectionId which connection carried it: 1 for the first accepted, 2 for the next, ...
 * @param sequence its position on that connection: 0 for the first request, 1 for the next kept
 *     alive request, ...; {@link ScriptedHttpServer#requests()} gives the order across connections
 */
public record RecordedRequest(
    String method,
    String path,
    Map<String, List<String>> headers,
    byte[] body,
    int connectionId,
    int sequence) {

  /** Copies headers into an unmodifiable case-insensitive map and the body into a new array. */
  public RecordedRequest {
    TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
    headers.forEach((name, values) -> copy.merge(name, List.copyOf(values), RecordedRequest::join));
    headers = Collections.unmodifiableMap(copy);
    body = body.clone();
  }

  /** A copy of the body. */
  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The first value of the header with this name, ignoring case; empty if it was not sent. */
  public Optional<String> header(String name) {
    List<String> values = headers.get(name);
    return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
  }

  /** The body decoded as UTF-8. */
  public String bodyUtf8() {
    return new String(body, StandardCharsets.UTF_8);
  }

  /** Describes the request, e.g. {@code GET /items/1 (connection 1, #0, 0 bytes)}. */
  @Override
  public String toString() {
    return method
        + ' '
        + path
        + " (connection "
        + connectionId
        + ", #"
        + sequence
        + ", "
        + body.length
        + " bytes)";
  }

  private static List<String> join(List<String> a, List<String> b) {
    List<String> both = new ArrayList<>(a);
    both.addAll(b);
    return List.copyOf(both);
  }
}
