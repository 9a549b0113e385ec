package dev.bulwark.micrometer;

import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.EventListener;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.health.HealthMonitor;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Posts a JSON alert to a webhook each time a {@link Resilience} registry's health status changes,
 * and when a circuit breaker has not been closed for longer than {@link Builder#openLongerThan}
 * (default 5 minutes):
 *
 * <pre>{@code
 * {"type":"status-changed","from":"HEALTHY","to":"CRITICAL","reasons":["payments: OPEN"],"time":"2026-01-01T00:00:00Z"}
 * {"type":"breaker-open","breaker":"payments","state":"OPEN","notClosedFor":"PT5M","time":"2026-01-01T00:05:00Z"}
 * }</pre>
 *
 * {@snippet :
 * HealthAlerts alerts = HealthAlerts.builder(URI.create("https://hooks.example.com/bulwark"))
 *     .openLongerThan(Duration.ofMinutes(10))
 *     .start(resilience);
 * }
 *
 * <p><b>Never blocks a call.</b> A status change is noticed on a caller's thread; the alert is
 * handed to {@link HttpClient#sendAsync} there and the caller goes on. A post that fails (no
 * answer, or a status other than 2xx) is retried through a Bulwark {@link Retry} on the registry's
 * scheduler, {@link Builder#maxAttempts} attempts at most with exponential backoff from 1 s up to
 * 30 s. At most {@link Builder#maxPending} alerts are in flight; beyond that an alert is dropped
 * and a warning logged, so a dead webhook cannot pile up work.
 *
 * <p><b>Open for long.</b> The time counts from when a breaker leaves {@code CLOSED} (to {@code
 * OPEN} or {@code FORCED_OPEN}) until it is {@code CLOSED} or {@code DISABLED} again: a breaker
 * whose probes keep failing goes {@code OPEN}, {@code HALF_OPEN}, {@code OPEN} all through an
 * outage, and the outage is what an operator wants to hear about. One alert per outage; the timer
 * runs on the registry's scheduler.
 *
 * <p>Starting alerts starts the registry's {@link Resilience#health() health monitor}.
 *
 * <p>Thread-safe.
 */
public final class HealthAlerts implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(HealthAlerts.class.getName());

  private final Resilience resilience;
  private final HttpClient client;
  private final URI webhook;
  private final Duration requestTimeout;
  private final long openLongerThanNanos;
  private final int maxPending;
  private final Retry retry;
  private final HealthMonitor monitor;
  private final HealthMonitor.StatusListener statusListener = this::statusChanged;
  private final Map<CircuitBreaker, Future<?>> openTimers = new ConcurrentHashMap<>();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicLong dropped = new AtomicLong();
  private final PolicyWatch watch;

  private HealthAlerts(Builder b, Resilience resilience) {
    this.resilience = resilience;
    this.webhook = b.webhook;
    this.client = b.client != null ? b.client : HttpClient.newHttpClient();
    this.requestTimeout = b.requestTimeout;
    this.openLongerThanNanos = b.openLongerThan.toNanos();
    this.maxPending = b.maxPending;
    this.retry =
        Retry.of(
            "bulwark-alerts",
            RetryConfig.builder()
                .maxAttempts(b.maxAttempts)
                .backoff(Backoff.exponential(Duration.ofSeconds(1), 2, Duration.ofSeconds(30)))
                .build(),
            resilience.clock(),
            resilience.scheduler());
    this.monitor = resilience.health();
    monitor.onStatusChange(statusListener);
    this.watch =
        new PolicyWatch(
            resilience,
            policy -> {
              if (!(policy instanceof CircuitBreaker)) {
                return null;
              }
              CircuitBreaker breaker = (CircuitBreaker) policy;
              EventListener listener = event -> breakerChanged(breaker, event);
              breaker
                  .events()
                  .subscribe(listener, Set.<Class<? extends PolicyEvent>>of(StateChanged.class));
              if (notClosed(breaker.state())) {
                startTimer(breaker);
              }
              return () -> {
                breaker.events().unsubscribe(listener);
                cancelTimer(breaker);
              };
            });
  }

  /**
   * A builder posting to {@code webhook} (http or https), holding the defaults.
   *
   * @throws NullPointerException if {@code webhook} is null
   * @throws IllegalArgumentException if {@code webhook} is not an absolute http or https URI
   */
  public static Builder builder(URI webhook) {
    return new Builder(webhook);
  }

  /** Alerts dropped so far because {@link Builder#maxPending} were already in flight. */
  public long dropped() {
    return dropped.get();
  }

  /**
   * Stops alerting: no more status or breaker alerts are sent; posts already in flight finish.
   * Idempotent.
   */
  @Override
  public void close() {
    monitor.removeStatusListener(statusListener);
    watch.close();
  }

  @Override
  public String toString() {
    return "HealthAlerts[" + webhook + ", " + pending.get() + " in flight]";
  }

  // ---------------------------------------------------------------- what is alerted

  private void statusChanged(HealthStatus from, HealthStatus to, HealthReport report) {
    StringBuilder json = new StringBuilder(128);
    json.append("{\"type\":\"status-changed\",\"from\":\"")
        .append(from)
        .append("\",\"to\":\"")
        .append(to)
        .append("\",\"reasons\":[");
    List<String> reasons = report.reasons();
    for (int i = 0; i < reasons.size(); i++) {
      if (i > 0) {
        json.append(',');
      }
      quote(json, reasons.get(i));
    }
    json.append("],\"time\":\"").append(report.wallTime()).append("\"}");
    post(json.toString());
  }

  private void breakerChanged(CircuitBreaker breaker, PolicyEvent event) {
    StateChanged change = (StateChanged) event;
    if (notClosed(change.to())) {
      startTimer(breaker);
    } else {
      cancelTimer(breaker);
    }
  }

  private static boolean notClosed(CircuitBreaker.State state) {
    return state != CircuitBreaker.State.CLOSED && state != CircuitBreaker.State.DISABLED;
  }

  private void startTimer(CircuitBreaker breaker) {
    Scheduler scheduler = resilience.scheduler();
    openTimers.computeIfAbsent( // one timer per outage: a later OPEN keeps the first one
        breaker, b -> scheduler.schedule(() -> openTooLong(b), openLongerThanNanos));
  }

  private void cancelTimer(CircuitBreaker breaker) {
    Future<?> timer = openTimers.remove(breaker);
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void openTooLong(CircuitBreaker breaker) {
    CircuitBreaker.State state = breaker.state();
    if (!notClosed(state)) {
      return; // closed again while this task was on its way
    }
    StringBuilder json = new StringBuilder(128);
    json.append("{\"type\":\"breaker-open\",\"breaker\":");
    quote(json, breaker.name());
    json.append(",\"state\":\"")
        .append(state)
        .append("\",\"notClosedFor\":\"")
        .append(Duration.ofNanos(openLongerThanNanos))
        .append("\",\"time\":\"")
        .append(resilience.clock().wallTime())
        .append("\"}");
    post(json.toString());
  }

  // ---------------------------------------------------------------- sending

  private void post(String json) {
    if (pending.incrementAndGet() > maxPending) {
      pending.decrementAndGet();
      dropped.incrementAndGet();
      LOG.log(WARNING, () -> "webhook " + webhook + " is behind; alert dropped: " + json);
      return;
    }
    HttpRequest request =
        HttpRequest.newBuilder(webhook)
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json, StandardCharsets.UTF_8))
            .build();
    retry
        .callAsync(() -> send(request))
        .whenComplete(
            (ok, failure) -> {
              pending.decrementAndGet();
              if (failure != null) {
                LOG.log(WARNING, () -> "webhook " + webhook + " refused an alert: " + failure);
              }
            });
  }

  private CompletionStage<Integer> send(HttpRequest request) {
    return client
        .sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenCompose(
            response -> {
              int status = response.statusCode();
              return status / 100 == 2
                  ? CompletableFuture.completedFuture(status)
                  : CompletableFuture.failedFuture(
                      new IOException("webhook " + webhook + " answered HTTP " + status));
            });
  }

  private static void quote(StringBuilder json, String text) {
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"':
          json.append("\\\"");
          break;
        case '\\':
          json.append("\\\\");
          break;
        case '\n':
          json.append("\\n");
          break;
        case '\r':
          json.append("\\r");
          break;
        case '\t':
          json.append("\\t");
          break;
        default:
          if (c < 0x20) {
            json.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            json.append(c);
          }
      }
    }
    json.append('"');
  }

  /**
   * Builds {@link HealthAlerts}.
   *
   * <p>Not thread-safe.
   */
  public static final class Builder {
    private final URI webhook;
    private Duration openLongerThan = Duration.ofMinutes(5);
    private int maxAttempts = 4;
    private int maxPending = 32;
    private Duration requestTimeout = Duration.ofSeconds(10);
    private @Nullable HttpClient client;

    private Builder(URI webhook) {
      Objects.requireNonNull(webhook, "webhook must not be null");
      String scheme = webhook.getScheme();
      if (!webhook.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))) {
        throw new IllegalArgumentException(
            "webhook must be an absolute http or https URI, was " + webhook);
      }
      this.webhook = webhook;
    }

    /**
     * How long a breaker may stay out of {@code CLOSED} before an alert says so. Default 5 minutes.
     *
     * @throws IllegalArgumentException if {@code time} is not positive
     * @throws NullPointerException if {@code time} is null
     */
    public Builder openLongerThan(Duration time) {
      this.openLongerThan = positive("openLongerThan", time);
      return this;
    }

    /**
     * The most attempts to post one alert, the first included. Default 4.
     *
     * @throws IllegalArgumentException if {@code attempts} is not in [1, 20]
     */
    public Builder maxAttempts(int attempts) {
      if (attempts < 1 || attempts > 20) {
        throw new IllegalArgumentException("maxAttempts must be in [1, 20], was " + attempts);
      }
      this.maxAttempts = attempts;
      return this;
    }

    /**
     * The most alerts in flight (being posted or waiting to retry); more are dropped. Default 32.
     *
     * @throws IllegalArgumentException if {@code alerts} is not in [1, 10000]
     */
    public Builder maxPending(int alerts) {
      if (alerts < 1 || alerts > 10_000) {
        throw new IllegalArgumentException("maxPending must be in [1, 10000], was " + alerts);
      }
      this.maxPending = alerts;
      return this;
    }

    /**
     * How long one post may take before it counts as failed. Default 10 seconds.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NullPointerException if {@code timeout} is null
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive("requestTimeout", timeout);
      return this;
    }

    /**
     * The client that posts. Default a new {@link HttpClient#newHttpClient()}.
     *
     * @throws NullPointerException if {@code client} is null
     */
    public Builder httpClient(HttpClient client) {
      this.client = Objects.requireNonNull(client, "client must not be null");
      return this;
    }

    /**
     * Starts alerting on {@code resilience}'s health and breakers.
     *
     * @throws NullPointerException if {@code resilience} is null
     */
    public HealthAlerts start(Resilience resilience) {
      return new HealthAlerts(
          this, Objects.requireNonNull(resilience, "resilience must not be null"));
    }

    private static Duration positive(String setting, Duration value) {
      Objects.requireNonNull(value, setting + " must not be null");
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(setting + " must be positive, was " + value);
      }
      return value;
    }
  }
}
