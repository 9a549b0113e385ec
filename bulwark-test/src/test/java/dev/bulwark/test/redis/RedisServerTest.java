package dev.bulwark.test.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisServerTest {

  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  @Test
  void answersCommandsOnItsLoopbackPort() {
    RedisServer server = redis.redis();
    assertThat(server.host()).isEqualTo("127.0.0.1");
    assertThat(server.uri().toString()).isEqualTo("redis://127.0.0.1:" + server.port());
    assertThat(server.command("SET", "k", "v")).isEqualTo("OK");
    assertThat(server.command("GET", "k")).isEqualTo("v");
    assertThat(server.command("INCR", "n")).isEqualTo(1L);
    assertThatThrownBy(() -> server.command("NOSUCHCOMMAND"))
        .isInstanceOf(RedisServer.RedisError.class)
        .hasMessageContaining("unknown command");
  }

  @Test
  void eachTestStartsEmpty() {
    assertThat(redis.redis().command("DBSIZE")).isEqualTo(0L);
    redis.redis().command("SET", "left", "behind");
  }

  @Test
  void eachTestStartsEmptyToo() {
    assertThat(redis.redis().command("DBSIZE")).isEqualTo(0L);
    redis.redis().command("SET", "left", "behind");
  }

  @Test
  void aStoppedServerRefusesConnectionsAndRestartsEmptyOnTheSamePort() {
    RedisServer server = redis.redis();
    int port = server.port();
    server.command("SET", "k", "v");

    server.stop();
    assertThat(server.isRunning()).isFalse();
    assertThatThrownBy(() -> server.command("PING")).isInstanceOf(UncheckedIOException.class);

    server.restart();
    assertThat(server.port()).isEqualTo(port);
    assertThat(server.command("PING")).isEqualTo("PONG");
    assertThat(server.command("GET", "k")).isNull();
  }

  @Test
  void aFrozenServerAcceptsConnectionsButAnswersNothingUntilUnfrozen() throws IOException {
    RedisServer server = redis.redis();
    server.freeze();
    assertThat(server.isFrozen()).isTrue();
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(server.host(), server.port()), 1_000);
      socket.setSoTimeout(300);
      socket.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      assertThatThrownBy(() -> socket.getInputStream().read())
          .isInstanceOf(SocketTimeoutException.class);
      server.unfreeze();
      socket.setSoTimeout(5_000);
      byte[] reply = new byte[7];
      assertThat(socket.getInputStream().readNBytes(reply, 0, 7)).isEqualTo(7);
      assertThat(new String(reply, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  void theNextTestGetsARunningServerAfterOneLeftItStopped() {
    redis.redis().stop();
  }

  @Test
  void theNextTestGetsARunningServerAfterOneLeftItFrozen() {
    redis.redis().freeze();
  }

  @Test
  void aServerLeftStoppedOrFrozenIsBackForTheNextTest() {
    assertThat(redis.redis().command("PING")).isEqualTo("PONG");
  }

  @Test
  void storesBinaryValuesAsTheyAre() {
    byte[] bytes = {(byte) 0xAC, (byte) 0xED, 0, 5, 13, 10};
    redis.redis().command("SET", "raw", bytes);
    assertThat(redis.redis().command("STRLEN", "raw")).isEqualTo(6L);
  }

  @Test
  void aClusterOfThreeMastersServesEverySlot() {
    try (RedisCluster cluster = RedisCluster.start()) {
      assertThat(cluster.nodes()).hasSize(3);
      Object slots = cluster.nodes().get(1).command("CLUSTER", "SLOTS");
      assertThat((List<?>) slots).hasSize(3);
      String info = (String) cluster.nodes().get(2).command("CLUSTER", "INFO");
      assertThat(info).contains("cluster_state:ok").contains("cluster_slots_assigned:16384");
      // a key lands on the node that owns its slot; asking another node redirects
      long slot = (Long) cluster.nodes().get(0).command("CLUSTER", "KEYSLOT", "user:1");
      RedisServer owner = cluster.nodes().get((int) (slot * 3 / 16_384));
      assertThat(owner.command("SET", "user:1", "x")).isEqualTo("OK");
      RedisServer other = cluster.nodes().get((int) ((slot * 3 / 16_384 + 1) % 3));
      assertThatThrownBy(() -> other.command("GET", "user:1")).hasMessageStartingWith("MOVED");
    }
  }
}
