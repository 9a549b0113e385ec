package dev.bulwark.test.redis;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A real {@code redis-server} process on a free port of 127.0.0.1, for tests that need Redis as it
 * is, failures included: {@link #stop()} kills it as a crash would, {@link #restart()} brings it
 * back on the same port (empty: nothing is persisted), {@link #freeze()} stops it with {@code
 * SIGSTOP} so that connections stay open but nothing answers, {@link #unfreeze()} lets it go on.
 *
 * <p>The executable is the one named by the {@code BULWARK_REDIS_SERVER} environment variable or
 * system property, else {@code redis-server} on the {@code PATH}, else the Linux (or macOS) binary
 * inside the {@code com.github.codemonstur:embedded-redis} artifact, which the kit brings: tests
 * that use it run on a clean machine and are never skipped.
 *
 * {@snippet :
 * try (RedisServer redis = RedisServer.start()) {
 *   redis.command("SET", "k", "v");
 *   redis.freeze(); // clients now time out
 *   redis.unfreeze();
 *   redis.stop(); // clients now fail to connect
 *   redis.restart(); // same port, no data
 * }
 * }
 *
 * <p>Thread-safe.
 */
public final class RedisServer implements AutoCloseable {

  private static final String HOST = "127.0.0.1";
  private static final Duration STARTUP = Duration.ofSeconds(15);

  private final int port;
  private final List<String> extraArgs;
  private final Path workDir;
  private @Nullable Process process;
  private boolean frozen;

  private RedisServer(int port, List<String> extraArgs, Path workDir) {
    this.port = port;
    this.extraArgs = extraArgs;
    this.workDir = workDir;
  }

  /**
   * Starts a {@code redis-server} on a free loopback port and returns once it answers {@code PING}.
   *
   * @throws IllegalStateException if no executable can be found or the server does not come up; the
   *     message says why (with the end of the server's log)
   */
  public static RedisServer start() {
    return start(List.of());
  }

  /** Starts one with extra command-line arguments ({@code --cluster-enabled yes} and such). */
  static RedisServer start(List<String> extraArgs) {
    Path dir;
    try {
      dir = Files.createTempDirectory("bulwark-redis");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    IllegalStateException last = null;
    for (int attempt = 0; attempt < 5; attempt++) { // another process may take the port first
      RedisServer server = new RedisServer(freePort(), List.copyOf(extraArgs), dir);
      try {
        server.launch();
        return server;
      } catch (IllegalStateException e) {
        server.kill();
        last = e;
      }
    }
    throw last;
  }

  /** The host to connect to: {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The port it listens on; the same after a {@link #restart()}. */
  public int port() {
    return port;
  }

  /** {@code redis://127.0.0.1:<port>}, the form Lettuce's {@code RedisURI.create} takes. */
  public URI uri() {
    return URI.create("redis://" + HOST + ":" + port);
  }

  /** True while the process is alive (frozen or not). */
  public synchronized boolean isRunning() {
    return process != null && process.isAlive();
  }

  /** True between {@link #freeze()} and {@link #unfreeze()}. */
  public synchronized boolean isFrozen() {
    return frozen;
  }

  /**
   * Kills the server as a crash would ({@code SIGKILL}): open connections are reset, new ones are
   * refused. Nothing is kept: a {@link #restart()} starts empty. Does nothing if it is not running.
   */
  public synchronized void stop() {
    kill();
  }

  /**
   * Starts the server again on the same port, empty, and returns once it answers; stops it first if
   * it is running.
   *
   * @throws IllegalStateException if it does not come up
   */
  public synchronized void restart() {
    kill();
    launch();
  }

  /**
   * Freezes the server with {@code SIGSTOP}: connections stay open and commands are accepted by the
   * kernel, but nothing answers until {@link #unfreeze()} — a hung Redis, as a long GC pause or a
   * saturated host looks to a client.
   *
   * @throws IllegalStateException if it is not running
   */
  public synchronized void freeze() {
    requireRunning();
    signal("STOP");
    frozen = true;
  }

  /**
   * Lets a frozen server go on ({@code SIGCONT}); it then answers what was sent meanwhile. Does
   * nothing if it is not frozen.
   */
  public synchronized void unfreeze() {
    if (frozen && isRunning()) {
      signal("CONT");
    }
    frozen = false;
  }

  /**
   * Runs one command on a connection of its own and returns the reply: a String, a Long, a List of
   * replies, or null. Arguments are strings (sent as UTF-8) or byte arrays (sent as they are).
   *
   * @throws RedisError if Redis answers with an error
   * @throws UncheckedIOException if Redis cannot be reached within 5 s
   */
  public @Nullable Object command(Object... args) {
    try (Resp resp = new Resp(HOST, port, 5_000)) {
      return resp.command(args);
    } catch (IOException e) {
      throw new UncheckedIOException("redis-server on port " + port + ": " + e.getMessage(), e);
    }
  }

  /** Deletes every key ({@code FLUSHALL}). */
  public void flushAll() {
    command("FLUSHALL");
  }

  /** Kills the server and deletes its working directory. */
  @Override
  public synchronized void close() {
    kill();
    try (Stream<Path> files = Files.walk(workDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temporary directory left behind is harmless
    }
  }

  @Override
  public String toString() {
    return "RedisServer[" + HOST + ":" + port + (frozen ? ", frozen" : "") + "]";
  }

  private void launch() {
    Path binary = RedisBinary.path();
    List<String> command = new ArrayList<>();
    command.add(binary.toString());
    command.addAll(
        List.of(
            "--port", Integer.toString(port),
            "--bind", HOST,
            "--save", "",
            "--appendonly", "no",
            "--protected-mode", "no",
            "--daemonize", "no",
            "--dir", workDir.toString()));
    command.addAll(extraArgs);
    Path log = workDir.resolve("redis-" + port + ".log");
    try {
      process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
    } catch (IOException e) {
      throw new IllegalStateException("could not run " + binary + ": " + e.getMessage(), e);
    }
    frozen = false;
    Clock clock = Clock.system();
    long deadline = clock.nanoTime() + STARTUP.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("redis-server exited at start:\n" + tail(log));
      }
      try {
        if ("PONG".equals(command("PING"))) {
          return;
        }
      } catch (UncheckedIOException | RedisError e) {
        // not up yet (or still loading)
      }
      if (clock.nanoTime() - deadline > 0) {
        kill();
        throw new IllegalStateException(
            "redis-server did not answer PING within " + STARTUP + ":\n" + tail(log));
      }
      try {
        Scheduler.system().sleep(TimeUnit.MILLISECONDS.toNanos(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new IllegalStateException("interrupted while redis-server started", e);
      }
    }
  }

  private void kill() {
    Process running = process;
    if (running == null) {
      return;
    }
    running.destroyForcibly(); // SIGKILL also ends a stopped (frozen) process
    try {
      if (!running.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("redis-server on port " + port + " did not die");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process = null;
    frozen = false;
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new IllegalStateException(this + " is not running");
    }
  }

  private void signal(String name) {
    try {
      Process kill =
          new ProcessBuilder(
                  "sh",
                  "-c",
                  "kill -" + name + " " + Objects.requireNonNull(process, "not started").pid())
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -"
                + name
                + " "
                + process.pid()
                + " failed: "
                + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while signalling redis-server", e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** A port whose cluster-bus port (+10000) is free too, so a node of a cluster can use it. */
  static int freePort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(20_000, 40_000);
      if (isFree(port) && isFree(port + 10_000)) {
        return port;
      }
    }
    throw new IllegalStateException("no free loopback port found in [20000, 40000)");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** An error reply from Redis, such as {@code ERR unknown command}. */
  public static final class RedisError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    RedisError(String message) {
      super(message);
    }
  }
}
