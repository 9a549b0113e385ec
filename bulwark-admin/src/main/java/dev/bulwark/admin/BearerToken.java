package dev.bulwark.admin;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.jspecify.annotations.Nullable;

/**
 * The token that authorizes writes, checked in constant time: both the expected token and the one
 * presented are hashed with SHA-256 and the two digests compared with {@link
 * MessageDigest#isEqual}, whose time depends only on the digests' (fixed) length. So neither how
 * much of a guess is right nor how long it is shows in the time a refusal takes.
 *
 * <p>Immutable; thread-safe.
 */
final class BearerToken {
  private static final String SCHEME = "Bearer ";

  private final byte[] expectedDigest;

  BearerToken(String token) {
    this.expectedDigest = sha256(token);
  }

  /** True if {@code authorization} (the header's value, or null) is {@code Bearer <token>}. */
  boolean accepts(@Nullable String authorization) {
    String presented =
        authorization != null && authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())
            ? authorization.substring(SCHEME.length()).trim()
            : "";
    // always hash and compare, even with nothing presented: a refusal takes the same time
    boolean same = MessageDigest.isEqual(expectedDigest, sha256(presented));
    return same && !presented.isEmpty();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}
