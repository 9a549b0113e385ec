package dev.bulwark.redis;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** A Lua script and its SHA-1, the name EVALSHA knows it by. Immutable; thread-safe. */
final class Script {
  private final String text;
  private final String sha;

  Script(String text) {
    this.text = text;
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
      StringBuilder hex = new StringBuilder(40);
      for (byte b : digest) {
        hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      this.sha = hex.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-1", e);
    }
  }

  String text() {
    return text;
  }

  String sha() {
    return sha;
  }
}
