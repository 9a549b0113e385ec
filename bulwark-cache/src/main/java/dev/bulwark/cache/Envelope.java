package dev.bulwark.cache;

import java.nio.ByteBuffer;
import org.jspecify.annotations.Nullable;

/**
 * The bytes stored at a Redis key: a fixed header, then the codec's bytes.
 *
 * <pre>
 * offset  size  field
 * 0       1     magic 0xB7 (Java serialization starts with 0xAC 0xED, so it never matches)
 * 1       1     format 1
 * 2       1     flags: bit 0 = "not found" (negative entry, no payload)
 * 3       8     written at, epoch millis on Redis's clock (TIME), as the writer reckons it
 * 11      8     fresh for, millis after written-at
 * 19      8     the load's duration in nanos (XFetch's delta)
 * 27      ...   payload
 * </pre>
 *
 * Anything else under a cache key (another format, a foreign or crafted payload) is not decoded:
 * {@link #decode} returns null and the cache treats the key as a miss.
 */
record Envelope(
    boolean absent, long writtenMillis, long freshMillis, long loadNanos, byte[] payload) {
  static final byte MAGIC = (byte) 0xB7;
  static final byte FORMAT = 1;
  static final int HEADER = 27;

  byte[] encode() {
    int length = absent ? 0 : payload.length;
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + length);
    buffer.put(MAGIC).put(FORMAT).put((byte) (absent ? 1 : 0));
    buffer.putLong(writtenMillis).putLong(freshMillis).putLong(loadNanos);
    if (!absent) {
      buffer.put(payload);
    }
    return buffer.array();
  }

  /** The envelope in {@code bytes}, or null if they are not one of ours. */
  static @Nullable Envelope decode(byte @Nullable [] bytes) {
    if (bytes == null || bytes.length < HEADER || bytes[0] != MAGIC || bytes[1] != FORMAT) {
      return null;
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    buffer.position(2);
    byte flags = buffer.get();
    if ((flags & ~1) != 0) {
      return null;
    }
    long written = buffer.getLong();
    long fresh = buffer.getLong();
    long load = buffer.getLong();
    if (fresh <= 0 || load < 0) {
      return null;
    }
    boolean absent = (flags & 1) != 0;
    byte[] payload = new byte[bytes.length - HEADER];
    buffer.get(payload);
    if (absent && payload.length != 0) {
      return null;
    }
    return new Envelope(absent, written, fresh, load, payload);
  }
}
