package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.test.redis.RedisExtension;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The Redis level on a three-master Redis Cluster. */
class RedisClusterLevelTest {

  @RegisterExtension static final RedisExtension redis = RedisExtension.cluster();

  private final List<AutoCloseable> closing = new ArrayList<>();
  private final AtomicInteger loads = new AtomicInteger();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  private ResilientCache<String, String> cache() {
    List<String> uris = new ArrayList<>();
    for (URI uri : redis.redisCluster().uris()) {
      uris.add(uri.toString());
    }
    RedisLevel level = RedisLevel.cluster(uris).build();
    closing.add(level);
    await().atMost(Duration.ofSeconds(10)).until(level::isAvailable);
    ResilientCache<String, String> cache =
        ResilientCache.<String, String>builder("prices", Codec.string()).redis(level).build();
    closing.add(cache);
    return cache;
  }

  private String load(String key) {
    return key + "#" + loads.incrementAndGet();
  }

  private long keysInCluster() {
    long keys = 0;
    for (var node : redis.redisCluster().nodes()) {
      keys += (Long) node.command("DBSIZE");
    }
    return keys;
  }

  @Test
  void keysSpreadOverEveryMasterAndAnotherInstanceGetsThemFromRedis() throws Exception {
    ResilientCache<String, String> first = cache();
    ResilientCache<String, String> second = cache();
    for (int i = 0; i < 60; i++) {
      first.put("sku-" + i, "price-" + i);
    }
    for (var node : redis.redisCluster().nodes()) {
      assertThat((Long) node.command("DBSIZE")).isPositive();
    }
    for (int i = 0; i < 60; i++) {
      assertThat(second.get("sku-" + i, this::load)).isEqualTo("price-" + i);
    }
    assertThat(second.stats().redisHits()).isEqualTo(60);
    assertThat(loads).hasValue(0);
  }

  @Test
  void invalidationReachesTheOtherInstanceAndInvalidateAllEmptiesEveryNode() throws Exception {
    ResilientCache<String, String> first = cache();
    ResilientCache<String, String> second = cache();
    // pub/sub keeps nothing: wait until Redis has both subscriptions (each on one of the nodes)
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                redis.redisCluster().nodes().stream()
                        .mapToLong(
                            node ->
                                RedisLevelTest.subscribers(
                                    node, "bulwark:prices:v1:#invalidations"))
                        .sum()
                    >= 2);
    for (int i = 0; i < 30; i++) {
      first.put("k" + i, "v" + i);
      second.get("k" + i, this::load);
    }
    first.invalidate("k0");
    await().atMost(Duration.ofSeconds(5)).until(() -> second.getIfPresent("k0") == null);

    first.invalidateAll();
    await().atMost(Duration.ofSeconds(5)).until(() -> second.getIfPresent("k1") == null);
    await().atMost(Duration.ofSeconds(5)).until(() -> keysInCluster() == 0);
  }
}
