package dev.bulwark.test.redis;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Redis Cluster of three masters (no replicas) on loopback, each a {@link RedisServer} started
 * with {@code --cluster-enabled yes}: the 16,384 hash slots are split in three ranges with {@code
 * CLUSTER ADDSLOTS}, the nodes meet with {@code CLUSTER MEET}, and {@link #start()} returns once
 * every node reports {@code cluster_state:ok}.
 *
 * {@snippet :
 * try (RedisCluster cluster = RedisCluster.start()) {
 *   RedisClusterClient client = RedisClusterClient.create(cluster.uris().get(0).toString());
 * }
 * }
 *
 * <p>Thread-safe.
 */
public final class RedisCluster implements AutoCloseable {

  /** The number of masters. */
  public static final int MASTERS = 3;

  private static final int SLOTS = 16_384;
  private static final Duration FORMING = Duration.ofSeconds(30);

  private final List<RedisServer> nodes;

  private RedisCluster(List<RedisServer> nodes) {
    this.nodes = nodes;
  }

  /**
   * Starts three masters and joins them into one cluster.
   *
   * @throws IllegalStateException if a node does not start or the cluster does not form in 30 s
   */
  public static RedisCluster start() {
    List<RedisServer> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < MASTERS; i++) {
        nodes.add(
            RedisServer.start(
                List.of(
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes-" + i + ".conf",
                    "--cluster-node-timeout", "2000")));
      }
      for (int i = 0; i < MASTERS; i++) {
        int from = i * SLOTS / MASTERS;
        int to = (i + 1) * SLOTS / MASTERS;
        Object[] command = new Object[2 + to - from];
        command[0] = "CLUSTER";
        command[1] = "ADDSLOTS";
        for (int slot = from; slot < to; slot++) {
          command[2 + slot - from] = Integer.toString(slot);
        }
        nodes.get(i).command(command);
      }
      for (int i = 1; i < MASTERS; i++) {
        nodes
            .get(0)
            .command("CLUSTER", "MEET", nodes.get(i).host(), Integer.toString(nodes.get(i).port()));
      }
      RedisCluster cluster = new RedisCluster(List.copyOf(nodes));
      cluster.awaitFormed();
      return cluster;
    } catch (RuntimeException e) {
      nodes.forEach(RedisServer::close);
      throw e;
    }
  }

  /** The three nodes, in slot order: node {@code i} serves slots from {@code i * 16384 / 3}. */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Each node's {@code redis://} URI; any of them seeds a cluster client. */
  public List<URI> uris() {
    List<URI> uris = new ArrayList<>(nodes.size());
    for (RedisServer node : nodes) {
      uris.add(node.uri());
    }
    return List.copyOf(uris);
  }

  /** Deletes every key on every node. */
  public void flushAll() {
    for (RedisServer node : nodes) {
      node.flushAll();
    }
  }

  /** Kills every node. */
  @Override
  public void close() {
    nodes.forEach(RedisServer::close);
  }

  @Override
  public String toString() {
    return "RedisCluster" + nodes;
  }

  private void awaitFormed() {
    Clock clock = Clock.system();
    long deadline = clock.nanoTime() + FORMING.toNanos();
    while (!formed()) {
      if (clock.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "the cluster did not form within "
                + FORMING
                + ": "
                + nodes.get(0).command("CLUSTER", "INFO"));
      }
      try {
        Scheduler.system().sleep(TimeUnit.MILLISECONDS.toNanos(50));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while the cluster formed", e);
      }
    }
  }

  private boolean formed() {
    for (RedisServer node : nodes) {
      String info = String.valueOf(node.command("CLUSTER", "INFO"));
      if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:" + MASTERS)) {
        return false;
      }
    }
    return true;
  }
}
