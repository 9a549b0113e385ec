package dev.bulwark.http;

import dev.bulwark.healthcheck.HealthCheck;
import dev.bulwark.healthcheck.HealthCheckConfig;
import dev.bulwark.healthcheck.HealthProbe;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * Health checks of a health URL, one per dependency (per host): {@code GET} the URL with the
 * check's timeout and no retry; a {@code 2xx} is healthy, unless a {@linkplain
 * HttpHealthCheckConfig#statusField() status field} is configured, which must then be a top-level
 * string of the JSON body equal (in any case) to one of the {@linkplain
 * HttpHealthCheckConfig#healthyValues() healthy values}, {@code UP} or {@code healthy} by default.
 * The body is read up to {@linkplain HttpHealthCheckConfig#maxBodyBytes() a bound}; a longer one
 * closes its connection instead of being drained. Anything else (another status, a reset, a
 * timeout, a body without the field) is an unhealthy result saying what was seen. (The JDK client
 * itself re-sends a {@code GET} once when its connection dies before any byte of the answer; no
 * other retry is made.)
 *
 * <p>In a registry ({@code bulwark-http} on the class or module path adds the kind), a check is
 * configured per name by {@code BULWARK_HTTP_CHECK_<NAME>_URL} and the check's settings:
 *
 * <pre>{@code
 * BULWARK_HTTP_CHECK_INVENTORY_URL=https://inventory.internal/actuator/health
 * BULWARK_HTTP_CHECK_INVENTORY_STATUS_FIELD=status
 * BULWARK_HTTP_CHECK_INVENTORY_BREAKER=inventory.internal   # the client's breaker for that host
 *
 * HealthCheck inventory = resilience.get(HttpHealthCheck.KIND, "inventory");
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class HttpHealthCheck {
  private HttpHealthCheck() {}

  /**
   * The registry's description of HTTP health checks ({@code BULWARK_HTTP_CHECK_*}): its instances
   * are {@link HealthCheck}s, listed, started and stopped as core's are.
   */
  public static final PolicyKind<HealthCheck, HttpHealthCheckConfig, HttpHealthCheckConfig.Builder>
      KIND =
          PolicyKind.builder(
                  "http-check",
                  "HTTP health check",
                  HttpHealthCheckConfig.ofDefaults(),
                  (name, config, clock, scheduler) ->
                      HealthCheck.of(name, withProbe(name, config), clock, scheduler),
                  HttpHealthCheckConfig::toBuilder,
                  HttpHealthCheckConfig.Builder::build)
              .settings(settings())
              .snapshot(HealthCheck::status)
              .busy(HealthCheck::isRunning)
              .health(HealthCheck::events)
              .lifecycle((check, peers) -> HealthCheck.KIND.start(check, peers), HealthCheck::stop)
              .build();

  /** Shared by checks given no client of their own; made on first use. */
  private static final class SharedClient {
    static final HttpClient CLIENT =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  /**
   * A probe that asks {@code config}'s URL with {@code client}, as the class comment says. Use it
   * in a core {@link HealthCheckConfig} to check a URL without the registry. Thread-safe.
   *
   * @throws IllegalArgumentException if the config has no URL
   */
  public static HealthProbe probe(HttpClient client, HttpHealthCheckConfig config) {
    Objects.requireNonNull(client, "client");
    Objects.requireNonNull(config, "config");
    if (config.url().isEmpty()) {
      throw new IllegalArgumentException("an HTTP health check needs a url");
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(config.url()))
            .GET()
            .timeout(config.check().timeout())
            .header("Accept", "application/json")
            .build();
    int maxBody = config.maxBodyBytes();
    return () ->
        judged(client.sendAsync(request, info -> new BufferedBody(maxBody, maxBody)), config);
  }

  private static CompletionStage<HealthCheck.Result> judged(
      CompletionStage<HttpResponse<Object>> response, HttpHealthCheckConfig config) {
    return response.thenApply(r -> judge(r.statusCode(), (BufferedBody.Kept) r.body(), config));
  }

  static HealthCheck.Result judge(
      int status, BufferedBody.Kept body, HttpHealthCheckConfig config) {
    String code = "HTTP " + status;
    if (status < 200 || status > 299) {
      return HealthCheck.Result.unhealthy(code);
    }
    String field = config.statusField();
    if (field.isEmpty()) {
      return HealthCheck.Result.healthy(code);
    }
    String value =
        JsonField.topLevelString(new String(body.bytes(), StandardCharsets.UTF_8), field);
    if (value == null) {
      return HealthCheck.Result.unhealthy(
          code + " without a top-level string \"" + field + "\" in its JSON body");
    }
    String seen = code + ", " + field + " " + shorten(value);
    for (String healthy : config.healthyValues()) {
      if (healthy.equalsIgnoreCase(value.trim())) {
        return HealthCheck.Result.healthy(seen);
      }
    }
    return HealthCheck.Result.unhealthy(seen);
  }

  private static String shorten(String value) {
    return value.length() <= 40 ? value : value.substring(0, 40) + "...";
  }

  private static HealthCheckConfig withProbe(String name, HttpHealthCheckConfig config) {
    if (config.url().isEmpty()) {
      throw new IllegalArgumentException(
          "HTTP health check '"
              + name
              + "' has no URL: set BULWARK_HTTP_CHECK_<NAME>_URL, or declare a config with one");
    }
    HttpClient client = config.httpClient().orElseGet(() -> SharedClient.CLIENT);
    return config.check().toBuilder().probe(probe(client, config)).build();
  }

  @SuppressWarnings({"unchecked", "rawtypes"}) // every element is a Setting of this builder type
  private static Setting<HttpHealthCheckConfig.Builder>[] settings() {
    List<Setting<HttpHealthCheckConfig.Builder>> all = new ArrayList<>();
    all.add(
        Setting.<HttpHealthCheckConfig.Builder>ofText(
                "URL", "url", HttpHealthCheckConfig.Builder::url)
            .doc("the health URL to GET")
            .defaultValue("none (required)"));
    all.add(
        Setting.<HttpHealthCheckConfig.Builder>ofText(
                "STATUS_FIELD", "statusField", HttpHealthCheckConfig.Builder::statusField)
            .doc("top-level JSON field that must hold a healthy value")
            .defaultValue("none (the status code decides)"));
    all.add(
        Setting.<HttpHealthCheckConfig.Builder>ofText(
                "HEALTHY_VALUES", "healthyValues", (b, v) -> b.healthyValues(v))
            .doc("comma-separated values of the field that mean healthy, any case")
            .defaultValue("`UP,healthy`"));
    all.add(
        Setting.<HttpHealthCheckConfig.Builder>ofInt(
                "MAX_BODY_BYTES",
                "maxBodyBytes",
                0,
                1 << 20,
                HttpHealthCheckConfig.Builder::maxBodyBytes)
            .doc("most bytes of the body read")
            .defaultValue("`65536`"));
    all.addAll(HealthCheckConfig.settings(HttpHealthCheckConfig.Builder::checkSettings));
    return all.toArray(new Setting[0]);
  }
}
