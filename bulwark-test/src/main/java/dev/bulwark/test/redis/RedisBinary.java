package dev.bulwark.test.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Finds a {@code redis-server} executable: the one named by the {@code BULWARK_REDIS_SERVER}
 * environment variable or system property, else one on the {@code PATH}, else the Linux binary
 * shipped inside the {@code com.github.codemonstur:embedded-redis} artifact (a runtime dependency
 * of the kit), copied once per JVM to a temporary file.
 *
 * <p>Thread-safe.
 */
final class RedisBinary {

  private static final String PROPERTY = "BULWARK_REDIS_SERVER";

  private static volatile @Nullable Path found;

  private RedisBinary() {}

  /**
   * The path of a runnable {@code redis-server}.
   *
   * @throws IllegalStateException if none can be found: the message says where it looked
   */
  static Path path() {
    Path seen = found;
    if (seen != null) {
      return seen;
    }
    synchronized (RedisBinary.class) { // test-kit setup, once per JVM; not a policy's path
      if (found == null) {
        found = locate();
      }
      return found;
    }
  }

  private static Path locate() {
    String named = System.getProperty(PROPERTY, System.getenv(PROPERTY));
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named);
      if (!Files.isExecutable(path)) {
        throw new IllegalStateException(PROPERTY + " names " + path + ", which is not executable");
      }
      return path;
    }
    String pathVariable = System.getenv("PATH");
    if (pathVariable != null) {
      for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
        if (dir.isEmpty()) {
          continue;
        }
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isExecutable(candidate)) {
          return candidate;
        }
      }
    }
    return extractEmbedded();
  }

  private static Path extractEmbedded() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String resource;
    if (os.contains("linux") && (arch.equals("amd64") || arch.equals("x86_64"))) {
      resource = "redis-server-6.2.6-v5-linux-amd64";
    } else if (os.contains("linux") && (arch.equals("aarch64") || arch.equals("arm64"))) {
      resource = "redis-server-6.2.7-linux-arm64";
    } else if (os.contains("mac") && (arch.equals("aarch64") || arch.equals("arm64"))) {
      resource = "redis-server-6.2.6-v5-darwin-arm64";
    } else if (os.contains("mac")) {
      resource = "redis-server-6.2.6-v5-darwin-amd64";
    } else {
      throw new IllegalStateException(
          "no redis-server: none on the PATH, "
              + PROPERTY
              + " not set, and no embedded binary for "
              + os
              + "/"
              + arch);
    }
    ClassLoader loader = RedisBinary.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "no redis-server: none on the PATH, "
                + PROPERTY
                + " not set, and the resource "
                + resource
                + " is not on the class path (add com.github.codemonstur:embedded-redis)");
      }
      Path dir = Files.createTempDirectory("bulwark-redis-bin");
      Path binary = dir.resolve("redis-server");
      Files.copy(in, binary, StandardCopyOption.REPLACE_EXISTING);
      Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rwx------"));
      binary.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      return binary;
    } catch (IOException e) {
      throw new UncheckedIOException("could not copy the embedded redis-server " + resource, e);
    }
  }
}
