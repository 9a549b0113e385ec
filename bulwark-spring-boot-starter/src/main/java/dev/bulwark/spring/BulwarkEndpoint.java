package dev.bulwark.spring;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The actuator endpoint {@code bulwark}: {@code GET /actuator/bulwark} lists every policy the
 * registry holds with its snapshot, by kind ({@code circuit-breaker}, {@code retry}, ...) and name;
 * {@code GET /actuator/bulwark/{name}} shows the policies of one name; {@code POST
 * /actuator/bulwark/{name}} with {@code {"action": "reset"}} resets them ({@code "force-open"} and
 * {@code "disable"} act on the breaker of that name).
 *
 * <p>Writes are off by default (read-only access): turn them on with {@code
 * management.endpoint.bulwark.access=unrestricted}. Expose the endpoint over HTTP with {@code
 * management.endpoints.web.exposure.include=bulwark}.
 *
 * <p>Thread-safe.
 */
@Endpoint(id = "bulwark", defaultAccess = Access.READ_ONLY)
public class BulwarkEndpoint {
  private final Resilience resilience;

  /** An endpoint over {@code resilience}. */
  public BulwarkEndpoint(Resilience resilience) {
    this.resilience = Objects.requireNonNull(resilience, "resilience");
  }

  /** Every policy held, by kind and name, with its snapshot. */
  @ReadOperation
  public Map<String, Object> policies() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", resilience.enabled());
    Map<String, Object> kinds = new LinkedHashMap<>();
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
      Map<String, Object> snapshots = resilience.snapshots(kind);
      if (!snapshots.isEmpty()) {
        kinds.put(SpringSettings.section(kind), plain(snapshots));
      }
    }
    out.put("policies", kinds);
    return out;
  }

  /** The policies named {@code name}, by kind, with their snapshots; empty if none. */
  @ReadOperation
  public Map<String, Object> policy(@Selector String name) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
      Optional<Object> snapshot = snapshot(kind, name);
      snapshot.ifPresent(s -> out.put(SpringSettings.section(kind), s));
    }
    return out;
  }

  private <P extends Policy> Optional<Object> snapshot(PolicyKind<P, ?, ?> kind, String name) {
    return resilience.find(kind, name).map(p -> plain(kind.snapshot(p)));
  }

  /**
   * {@code value} as JSON can show it: a record as a map of its components, a map or collection
   * element by element, an {@code Optional} as its value or null, numbers, booleans and text as
   * they are, enum constants by name, anything else (a duration, a config) as its text.
   */
  static @Nullable Object plain(@Nullable Object value) {
    if (value == null
        || value instanceof Number
        || value instanceof Boolean
        || value instanceof String) {
      return value;
    }
    if (value instanceof Enum) {
      return ((Enum<?>) value).name();
    }
    if (value instanceof Optional) {
      return plain(((Optional<?>) value).orElse(null));
    }
    if (value instanceof Map) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<?, ?>) value).forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
      return out;
    }
    if (value instanceof Collection) {
      List<Object> out = new ArrayList<>();
      ((Collection<?>) value).forEach(v -> out.add(plain(v)));
      return out;
    }
    if (value instanceof Record) {
      Map<String, Object> out = new LinkedHashMap<>();
      for (RecordComponent c : value.getClass().getRecordComponents()) {
        try {
          Method accessor = c.getAccessor();
          accessor.setAccessible(true);
          out.put(c.getName(), plain(accessor.invoke(value)));
        } catch (ReflectiveOperationException | RuntimeException e) {
          out.put(c.getName(), "?");
        }
      }
      return out;
    }
    return value.toString();
  }

  /**
   * Acts on the policies named {@code name}: {@code reset} resets every one that can be reset,
   * {@code force-open} forces the breaker of that name open (creating it if needed), {@code
   * disable} disables that breaker. Returns what was done and the policies' snapshots after.
   *
   * @throws InvalidEndpointRequestException for another action, or a breaker that does not exist
   */
  @WriteOperation
  public Map<String, Object> change(@Selector String name, @Nullable String action) {
    List<String> done = new ArrayList<>();
    String what = action == null ? "" : action.trim().toLowerCase(java.util.Locale.ROOT);
    switch (what) {
      case "reset":
        for (PolicyKind<?, ?, ?> kind : resilience.kinds()) {
          if (kind.resettable() && resilience.reset(kind, name)) {
            done.add("reset " + kind.label() + " '" + name + "'");
          }
        }
        break;
      case "force-open":
        resilience.forceOpen(name);
        done.add("forced circuit breaker '" + name + "' open");
        break;
      case "disable":
        CircuitBreaker breaker =
            resilience
                .find(CircuitBreaker.KIND, name)
                .orElseThrow(
                    () ->
                        new InvalidEndpointRequestException(
                            "no circuit breaker named '" + name + "'",
                            "no circuit breaker of that name"));
        breaker.disable();
        done.add("disabled circuit breaker '" + name + "'");
        break;
      default:
        throw new InvalidEndpointRequestException(
            "action must be reset, force-open or disable, was '" + action + "'", "unknown action");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("done", done);
    out.put("policies", policy(name));
    return out;
  }
}
