package dev.bulwark.test.http;

import dev.bulwark.test.internal.Check;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * A real HTTP/1.1 server on 127.0.0.1 whose answers and faults are scripted per request, for
 * testing HTTP clients against slow, failing and vanishing servers.
 *
 * <p>Each request takes the next {@link Reply} queued for its exact path ({@link #enqueue(String,
 * Reply...)}), else the next one queued for any path ({@link #enqueue(Reply...)}), else the {@link
 * #otherwise(Reply)} reply ({@code 200 "ok"} by default). The server records every request before
 * answering it, so a test also sees requests that were then reset, disconnected or cancelled.
 * Connections are kept alive, so a pooling client such as {@code java.net.http.HttpClient} sends
 * many requests over one connection; {@link #acceptedConnections()} and {@link #openConnections()}
 * show how it used them.
 *
 * {@snippet :
 * try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
 *   Gate slow = Gate.closed();
 *   server
 *       .enqueue(Reply.status(503).header("Retry-After", "1")) // the first request: overloaded
 *       .enqueue("/items/1", Reply.ok("{\"id\":1}").stall(slow)); // held until slow.open()
 *   HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
 *
 *   HttpResponse<String> busy =
 *       client.sendAsync(HttpRequest.newBuilder(server.uri("/items")).build(), ofString())
 *           .get(5, SECONDS);
 *   assertThat(busy.statusCode()).isEqualTo(503);
 *
 *   CompletableFuture<HttpResponse<String>> call =
 *       client.sendAsync(HttpRequest.newBuilder(server.uri("/items/1")).build(), ofString());
 *   assertThat(slow.awaitStalled(Duration.ofSeconds(5))).isTrue();
 *   call.cancel(true); // the client gives up...
 *   assertThat(slow.awaitClientGone(Duration.ofSeconds(5))).isTrue(); // ...and the server saw it
 *
 *   assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/items");
 *   assertThat(server.takeRequest(Duration.ofSeconds(5)).path()).isEqualTo("/items/1");
 *   assertThat(server.acceptedConnections()).isEqualTo(1); // kept alive, then closed by cancel
 *   assertThat(server.awaitOpenConnections(0, Duration.ofSeconds(5))).isTrue();
 *   assertThat(server.errors()).isEmpty();
 * }
 * }
 *
 * <p>Threads: one accepting thread and one per connection, all daemon platform threads named {@code
 * scripted-http-<port>-<n>} ({@code n} is 0 for the accepting thread, else the connection id).
 * {@link #close()} closes the listener and every connection and waits, bounded, for them all to
 * end. Faults that stand for the network (resets, early closes, the client going away) are not
 * errors; a request the server cannot parse closes its connection and is kept in {@link #errors()}.
 *
 * <p>Thread-safe.
 */
public final class ScriptedHttpServer implements AutoCloseable {
  private static final Reply DEFAULT_OTHERWISE = Reply.status(200).body("ok");
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

  private final ServerSocket listener;
  private final int port;
  private final Thread acceptor;
  private final CountDownLatch closing = new CountDownLatch(1);

  private final Queue<Reply> anyPath = new ConcurrentLinkedQueue<>();
  private final Map<String, Queue<Reply>> byPath = new ConcurrentHashMap<>();
  private volatile Reply otherwise = DEFAULT_OTHERWISE;

  private final ReentrantLock recordLock = new ReentrantLock(); // keeps both lists in one order
  private final List<RecordedRequest> recorded = new CopyOnWriteArrayList<>();
  private final LinkedBlockingQueue<RecordedRequest> untaken = new LinkedBlockingQueue<>();
  private final Queue<Throwable> errors = new ConcurrentLinkedQueue<>();

  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicLong endlessBytes = new AtomicLong();
  private final Map<Integer, ScriptedConnection> live = new ConcurrentHashMap<>();
  private final Queue<Thread> threads = new ConcurrentLinkedQueue<>();
  private final ReentrantLock countLock = new ReentrantLock();
  private final Condition countChanged = countLock.newCondition();
  private int open; // guarded by countLock

  private ScriptedHttpServer(ServerSocket listener) {
    this.listener = listener;
    this.port = listener.getLocalPort();
    this.acceptor = new Thread(this::acceptLoop, threadName(0));
    acceptor.setDaemon(true);
  }

  /**
   * Starts a server on 127.0.0.1 and an ephemeral port, already accepting connections.
   *
   * @throws UncheckedIOException if no port can be bound
   */
  public static ScriptedHttpServer start() {
    ServerSocket listener = null;
    try {
      listener = new ServerSocket();
      listener.bind(
          new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0), 64);
      ScriptedHttpServer server = new ScriptedHttpServer(listener);
      server.acceptor.start();
      return server;
    } catch (IOException e) {
      if (listener != null) {
        try {
          listener.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new UncheckedIOException("cannot bind 127.0.0.1 on an ephemeral port", e);
    }
  }

  /** The server's root, {@code http://127.0.0.1:<port>/}. */
  public URI uri() {
    return URI.create("http://" + authority() + "/");
  }

  /**
   * {@code path} resolved against {@link #uri()}, e.g. {@code uri("/items/1?full=true")}.
   *
   * @throws IllegalArgumentException if {@code path} is not a valid URI reference
   */
  public URI uri(String path) {
    return uri().resolve(Check.notNull("path", path));
  }

  /** {@code 127.0.0.1:<port>}, as a client sends it in the {@code Host} header. */
  public String authority() {
    return "127.0.0.1:" + port;
  }

  /** The ephemeral port the server listens on. */
  public int port() {
    return port;
  }

  /**
   * Queues replies for the next requests to any path, first in first out, one per request. Replies
   * queued for a request's exact path go first.
   *
   * @return this server, to chain calls
   */
  public ScriptedHttpServer enqueue(Reply... replies) {
    for (Reply reply : Check.notNull("replies", replies)) {
      anyPath.add(Check.notNull("reply", reply));
    }
    return this;
  }

  /**
   * Queues replies for the next requests to exactly this path, first in first out, one per request;
   * checked before the queue for any path.
   *
   * <p>A request matches if its target equals {@code path}, or if its target without the query
   * does: {@code "/items"} answers {@code /items?page=2} too, unless {@code "/items?page=2"} has
   * replies of its own.
   *
   * @return this server, to chain calls
   * @throws IllegalArgumentException if {@code path} does not start with {@code /}
   */
  public ScriptedHttpServer enqueue(String path, Reply... replies) {
    Check.notNull("path", path);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException("path must start with '/', was " + path);
    }
    Queue<Reply> queue = byPath.computeIfAbsent(path, p -> new ConcurrentLinkedQueue<>());
    for (Reply reply : Check.notNull("replies", replies)) {
      queue.add(Check.notNull("reply", reply));
    }
    return this;
  }

  /**
   * Sets the reply for requests no queue has a reply for; default {@code Reply.ok("ok")}.
   *
   * @return this server, to chain calls
   */
  public ScriptedHttpServer otherwise(Reply reply) {
    this.otherwise = Check.notNull("reply", reply);
    return this;
  }

  /**
   * Takes the next request not yet taken, in arrival order, waiting for it if need be.
   *
   * @throws AssertionError if no request arrives within {@code timeout}; the message says how many
   *     arrived so far
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public RecordedRequest takeRequest(Duration timeout) throws InterruptedException {
    long nanos = Check.nonNegative("timeout", timeout).toNanos();
    RecordedRequest next = untaken.poll(nanos, TimeUnit.NANOSECONDS);
    if (next == null) {
      throw new AssertionError(
          "no request arrived within "
              + timeout
              + " ("
              + recorded.size()
              + " arrived so far, all already taken)");
    }
    return next;
  }

  /** Every request so far, in arrival order; a snapshot. */
  public List<RecordedRequest> requests() {
    return List.copyOf(recorded);
  }

  /** How many requests have arrived so far. */
  public int requestCount() {
    return recorded.size();
  }

  /** How many client connections are open now: accepted and not yet fully closed. */
  public int openConnections() {
    countLock.lock();
    try {
      return open;
    } finally {
      countLock.unlock();
    }
  }

  /**
   * How many bytes of {@linkplain Reply#endlessBody() endless bodies} were written so far: what a
   * client was made to read, plus what sits in the sockets' buffers.
   */
  public long bodyBytesWritten() {
    return endlessBytes.get();
  }

  void bodyBytesWritten(long bytes) {
    endlessBytes.addAndGet(bytes);
  }

  /** How many connections have been accepted so far. */
  public int acceptedConnections() {
    return accepted.get();
  }

  /**
   * Waits until exactly {@code count} connections are open, for example 0 once a client is done.
   *
   * @return true once {@link #openConnections()} equals {@code count}; false on timeout
   * @throws InterruptedException if the waiting thread is interrupted
   */
  public boolean awaitOpenConnections(int count, Duration timeout) throws InterruptedException {
    long remainingNanos = Check.nonNegative("timeout", timeout).toNanos();
    countLock.lock();
    try {
      while (open != count) {
        if (remainingNanos <= 0) {
          return false;
        }
        remainingNanos = countChanged.awaitNanos(remainingNanos);
      }
      return true;
    } finally {
      countLock.unlock();
    }
  }

  /**
   * The failures inside the server so far: unparsable requests, and threads that did not end on
   * {@link #close()}. Clients going away, resets and early closes are not failures.
   */
  public List<Throwable> errors() {
    return List.copyOf(errors);
  }

  /**
   * Closes the listener and every open connection, ending stalls and delays, then waits up to 5
   * seconds for the server's threads to end; threads still alive then are reported in {@link
   * #errors()}. Calling it again does nothing more.
   */
  @Override
  public void close() {
    if (isClosing()) {
      return;
    }
    closing.countDown(); // before closing sockets: a connection thread that fails then knows why
    try {
      listener.close();
    } catch (IOException e) {
      errors.add(e);
    }
    live.values().forEach(ScriptedConnection::closeSocket);
    try {
      if (!awaitOpenConnections(0, CLOSE_WAIT)) {
        errors.add(new IllegalStateException(openConnections() + " connections still open"));
      }
      acceptor.join(CLOSE_WAIT.toMillis());
      for (Thread thread : threads) {
        thread.join(CLOSE_WAIT.toMillis());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<String> alive = new ArrayList<>();
    if (acceptor.isAlive()) {
      alive.add(acceptor.getName());
    }
    threads.stream().filter(Thread::isAlive).forEach(t -> alive.add(t.getName()));
    if (!alive.isEmpty()) {
      errors.add(new IllegalStateException("threads still alive after close: " + alive));
    }
  }

  /** Describes the server, e.g. {@code ScriptedHttpServer[127.0.0.1:41234, 3 requests]}. */
  @Override
  public String toString() {
    return "ScriptedHttpServer["
        + authority()
        + ", "
        + recorded.size()
        + " requests, "
        + openConnections()
        + " open connections]";
  }

  // ---- called by the connections ----

  /** Records the request, then picks its reply. */
  Reply record(RecordedRequest request) {
    recordLock.lock();
    try {
      recorded.add(request);
      untaken.add(request);
    } finally {
      recordLock.unlock();
    }
    return replyFor(request.path());
  }

  boolean isClosing() {
    return closing.getCount() == 0;
  }

  /** Waits up to {@code nanos}; true if the server started closing meanwhile. */
  boolean awaitClosing(long nanos) {
    try {
      return closing.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }

  void recordError(Throwable error) {
    errors.add(error);
  }

  void connectionEnded(int id) {
    live.remove(id);
    changeOpen(-1);
  }

  private Reply replyFor(String target) {
    Reply reply = poll(target);
    int query = target.indexOf('?');
    if (reply == null && query >= 0) {
      reply = poll(target.substring(0, query));
    }
    if (reply == null) {
      reply = anyPath.poll();
    }
    return reply != null ? reply : otherwise;
  }

  private @Nullable Reply poll(String path) {
    Queue<Reply> queue = byPath.get(path);
    return queue == null ? null : queue.poll();
  }

  private void acceptLoop() {
    while (true) {
      Socket socket;
      try {
        socket = listener.accept();
      } catch (IOException e) {
        if (!isClosing()) {
          errors.add(e);
        }
        return;
      }
      try {
        // A reply written in two segments would otherwise wait for the client's delayed ACK
        // (Nagle's algorithm): tens of milliseconds per request on loopback.
        socket.setTcpNoDelay(true);
      } catch (IOException e) {
        errors.add(e); // the connection still works, only slower
      }
      int id = accepted.incrementAndGet();
      changeOpen(+1);
      ScriptedConnection connection = new ScriptedConnection(this, socket, id);
      Thread thread = new Thread(connection, threadName(id));
      thread.setDaemon(true);
      live.put(id, connection);
      threads.add(thread);
      if (isClosing()) {
        connection.closeSocket(); // close() may have looked at the live connections before us
      }
      thread.start();
    }
  }

  private void changeOpen(int delta) {
    countLock.lock();
    try {
      open += delta;
      countChanged.signalAll();
    } finally {
      countLock.unlock();
    }
  }

  private String threadName(int n) {
    return "scripted-http-" + port + "-" + n;
  }
}
