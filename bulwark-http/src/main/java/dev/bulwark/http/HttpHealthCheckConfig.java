package dev.bulwark.http;

import dev.bulwark.healthcheck.HealthCheckConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What an {@link HttpHealthCheck} asks of a health URL: the URL, optionally a top-level JSON field
 * that must hold one of the healthy values, how much of the body it reads, and the check's own
 * schedule, timeout, thresholds and breaker ({@link HealthCheckConfig}).
 *
 * <p>Immutable; thread-safe.
 */
public final class HttpHealthCheckConfig {
  private static final HttpHealthCheckConfig DEFAULTS = new Builder().build();

  private final String url;
  private final String statusField;
  private final List<String> healthyValues;
  private final int maxBodyBytes;
  private final HealthCheckConfig check;
  private final @Nullable HttpClient httpClient;

  private HttpHealthCheckConfig(Builder b) {
    this.url = b.url;
    this.statusField = b.statusField;
    this.healthyValues = List.copyOf(b.healthyValues);
    this.maxBodyBytes = b.maxBodyBytes;
    this.check = b.check.build();
    this.httpClient = b.httpClient;
  }

  /** A builder holding the defaults. Thread-safe. */
  public static Builder builder() {
    return new Builder();
  }

  /** The defaults: no URL (one must be set before a check is made). Thread-safe. */
  public static HttpHealthCheckConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder holding this config's values. Thread-safe. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.url = url;
    b.statusField = statusField;
    b.healthyValues = new ArrayList<>(healthyValues);
    b.maxBodyBytes = maxBodyBytes;
    b.check = check.toBuilder();
    b.httpClient = httpClient;
    return b;
  }

  /** The health URL, {@code http} or {@code https}; empty in the defaults. */
  public String url() {
    return url;
  }

  /**
   * The top-level JSON field of the body that must hold a {@linkplain #healthyValues() healthy
   * value} ({@code "status"}); empty (the default) to judge by the status code alone.
   */
  public String statusField() {
    return statusField;
  }

  /** The values of the status field that mean healthy, any case. Default {@code UP, healthy}. */
  public List<String> healthyValues() {
    return healthyValues;
  }

  /**
   * The most bytes of the body read; past them the connection is closed rather than drained.
   * Default 64 KiB.
   */
  public int maxBodyBytes() {
    return maxBodyBytes;
  }

  /** The check's schedule, timeout (also the request's), thresholds and breaker. */
  public HealthCheckConfig check() {
    return check;
  }

  /** The client that sends the checks; empty for a shared HTTP/1.1 client. */
  public Optional<HttpClient> httpClient() {
    return Optional.ofNullable(httpClient);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof HttpHealthCheckConfig c
        && url.equals(c.url)
        && statusField.equals(c.statusField)
        && healthyValues.equals(c.healthyValues)
        && maxBodyBytes == c.maxBodyBytes
        && check.equals(c.check)
        && Objects.equals(httpClient, c.httpClient);
  }

  @Override
  public int hashCode() {
    return Objects.hash(url, statusField, healthyValues, maxBodyBytes, check, httpClient);
  }

  @Override
  public String toString() {
    return "HttpHealthCheckConfig[url="
        + (url.isEmpty() ? "none" : url)
        + ", statusField="
        + (statusField.isEmpty() ? "none" : statusField)
        + ", healthyValues="
        + healthyValues
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", check="
        + check
        + "]";
  }

  /**
   * Builds an {@link HttpHealthCheckConfig}. Each setter checks its own value.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private String url = "";
    private String statusField = "";
    private List<String> healthyValues = new ArrayList<>(List.of("UP", "healthy"));
    private int maxBodyBytes = 64 * 1024;
    private HealthCheckConfig.Builder check = HealthCheckConfig.builder();
    private @Nullable HttpClient httpClient;

    private Builder() {}

    /**
     * The health URL, an absolute {@code http} or {@code https} URI; empty for none.
     *
     * @throws IllegalArgumentException if it is not such a URI
     */
    public Builder url(String url) {
      String u = Objects.requireNonNull(url, "url").trim();
      if (!u.isEmpty()) {
        try {
          URI uri = new URI(u);
          String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
          if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                "url must be an absolute http or https URL, was '" + url + "'");
          }
        } catch (URISyntaxException e) {
          throw new IllegalArgumentException("url is not a URL: '" + url + "'", e);
        }
      }
      this.url = u;
      return this;
    }

    /** The top-level JSON field to judge, trimmed; empty (the default) for none. */
    public Builder statusField(String field) {
      this.statusField = Objects.requireNonNull(field, "field").trim();
      return this;
    }

    /**
     * The values of the status field that mean healthy, compared in any case. Default {@code UP,
     * healthy}.
     *
     * @throws IllegalArgumentException if there is none, or one is blank
     */
    public Builder healthyValues(List<String> values) {
      Objects.requireNonNull(values, "values");
      List<String> kept = new ArrayList<>();
      for (String value : values) {
        if (Objects.requireNonNull(value, "value").isBlank()) {
          throw new IllegalArgumentException("healthyValues must not hold a blank value");
        }
        kept.add(value.trim());
      }
      if (kept.isEmpty()) {
        throw new IllegalArgumentException("healthyValues must hold at least one value");
      }
      this.healthyValues = kept;
      return this;
    }

    /**
     * The healthy values as one comma-separated text ({@code "UP,healthy"}), as settings give it.
     *
     * @throws IllegalArgumentException as {@link #healthyValues(List)}
     */
    public Builder healthyValues(String commaSeparated) {
      return healthyValues(List.of(Objects.requireNonNull(commaSeparated, "values").split(",")));
    }

    /**
     * The most bytes of the body read, in [0, 1048576]. Default 65536.
     *
     * @throws IllegalArgumentException if out of range
     */
    public Builder maxBodyBytes(int bytes) {
      if (bytes < 0 || bytes > 1 << 20) {
        throw new IllegalArgumentException("maxBodyBytes must be in [0, 1048576], was " + bytes);
      }
      this.maxBodyBytes = bytes;
      return this;
    }

    /** The check's schedule, timeout, thresholds and breaker, replacing those set so far. */
    public Builder check(HealthCheckConfig config) {
      this.check = Objects.requireNonNull(config, "config").toBuilder();
      return this;
    }

    /**
     * The builder of the check's own settings, to change them in place: {@code
     * b.checkSettings().interval(Duration.ofSeconds(10))}. Its probe is ignored: this check's probe
     * is the URL.
     */
    public HealthCheckConfig.Builder checkSettings() {
      return check;
    }

    /** The client that sends the checks. Default a shared HTTP/1.1 client. */
    public Builder httpClient(HttpClient client) {
      this.httpClient = Objects.requireNonNull(client, "client");
      return this;
    }

    /** The config. */
    public HttpHealthCheckConfig build() {
      return new HttpHealthCheckConfig(this);
    }
  }
}
