package dev.bulwark.test.redis;

import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * A JUnit 5 extension that gives a test class a real Redis: one {@link RedisServer} (or a
 * three-master {@link RedisCluster}) started before the class's first test and killed after its
 * last. Before each test the server is unfrozen, restarted if a test stopped it, and emptied, so
 * tests start from the same state whatever the previous one did to it. Never skips: if no {@code
 * redis-server} can be found or started, the class fails with the reason.
 *
 * {@snippet :
 * class MyCacheTest {
 *   @RegisterExtension static final RedisExtension redis = RedisExtension.server();
 *
 *   @Test
 *   void survivesARedisCrash() {
 *     RedisClient client = RedisClient.create(redis.server().uri().toString());
 *     redis.server().stop();
 *     // ...
 *   }
 * }
 * }
 *
 * <p>Test methods may also take a {@link RedisServer} or {@link RedisCluster} parameter.
 *
 * <p>Thread-safe.
 */
public final class RedisExtension
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, ParameterResolver {

  private final boolean cluster;
  private volatile @Nullable RedisServer server;
  private volatile @Nullable RedisCluster redisCluster;

  private RedisExtension(boolean cluster) {
    this.cluster = cluster;
  }

  /** One {@code redis-server} per test class. */
  public static RedisExtension server() {
    return new RedisExtension(false);
  }

  /** One three-master Redis Cluster per test class. */
  public static RedisExtension cluster() {
    return new RedisExtension(true);
  }

  /**
   * The server of a {@link #server()} extension.
   *
   * @throws IllegalStateException if this is a cluster extension or the class has not started
   */
  public RedisServer redis() {
    RedisServer running = server;
    if (running == null) {
      throw new IllegalStateException(
          cluster ? "a cluster extension has no single server; use redisCluster()" : "not started");
    }
    return running;
  }

  /**
   * The cluster of a {@link #cluster()} extension.
   *
   * @throws IllegalStateException if this is a single-server extension or the class has not started
   */
  public RedisCluster redisCluster() {
    RedisCluster running = redisCluster;
    if (running == null) {
      throw new IllegalStateException(
          cluster ? "not started" : "a single-server extension has no cluster; use redis()");
    }
    return running;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    if (cluster) {
      redisCluster = RedisCluster.start();
    } else {
      server = RedisServer.start();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    if (cluster) {
      Objects.requireNonNull(redisCluster, "beforeAll starts the cluster").flushAll();
      return;
    }
    RedisServer running = Objects.requireNonNull(server, "beforeAll starts the server");
    running.unfreeze();
    if (!running.isRunning()) {
      running.restart();
    }
    running.flushAll();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (server != null) {
      server.close();
      server = null;
    }
    if (redisCluster != null) {
      redisCluster.close();
      redisCluster = null;
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return (type == RedisServer.class && !cluster) || (type == RedisCluster.class && cluster);
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return cluster ? redisCluster() : redis();
  }
}
