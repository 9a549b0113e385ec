package dev.bulwark.admin;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Writes JSON by hand: small, and every string escaped as RFC 8259 says (quote, backslash, control
 * characters, and lone surrogates, which UTF-8 cannot carry). A value it does not know is written
 * as its {@code toString()}; records as objects of their components; durations and instants as
 * ISO-8601 strings; floats that are not finite as {@code null}.
 *
 * <p>Not thread-safe.
 */
final class Json {
  private static final int MAX_DEPTH = 8;
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final StringBuilder out = new StringBuilder(256);
  private boolean needComma;

  /** Opens an object. */
  Json begin() {
    comma();
    out.append('{');
    needComma = false;
    return this;
  }

  /** Closes an object. */
  Json end() {
    out.append('}');
    needComma = true;
    return this;
  }

  /** Opens an array. */
  Json beginArray() {
    comma();
    out.append('[');
    needComma = false;
    return this;
  }

  /** Closes an array. */
  Json endArray() {
    out.append(']');
    needComma = true;
    return this;
  }

  /** Writes a member's name; its value follows. */
  Json name(String name) {
    comma();
    string(out, name);
    out.append(':');
    needComma = false;
    return this;
  }

  /** Writes {@code name: value}. */
  Json field(String name, @Nullable Object value) {
    return name(name).value(value);
  }

  /** Writes any value, as the class comment says. */
  Json value(@Nullable Object value) {
    comma();
    write(value, 0);
    needComma = true;
    return this;
  }

  @Override
  public String toString() {
    return out.toString();
  }

  private void comma() {
    if (needComma) {
      out.append(',');
    }
  }

  private void write(@Nullable Object value, int depth) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String) {
      string(out, (String) value);
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      out.append(value);
    } else if (value instanceof Double || value instanceof Float) {
      double d = ((Number) value).doubleValue();
      if (Double.isFinite(d)) {
        out.append(value);
      } else {
        out.append("null");
      }
    } else if (value instanceof Number) {
      out.append(((Number) value).longValue());
    } else if (value instanceof Enum) {
      string(out, ((Enum<?>) value).name());
    } else if (value instanceof Duration || value instanceof Instant) {
      string(out, value.toString());
    } else if (value instanceof Optional) {
      write(((Optional<?>) value).orElse(null), depth);
    } else if (depth >= MAX_DEPTH) {
      string(out, String.valueOf(value));
    } else if (value instanceof Map) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        string(out, String.valueOf(e.getKey()));
        out.append(':');
        write(e.getValue(), depth + 1);
      }
      out.append('}');
    } else if (value instanceof Collection) {
      out.append('[');
      boolean first = true;
      for (Object o : (Collection<?>) value) {
        if (!first) {
          out.append(',');
        }
        first = false;
        write(o, depth + 1);
      }
      out.append(']');
    } else if (value instanceof Throwable) {
      string(out, describe((Throwable) value));
    } else if (value.getClass().isRecord()) {
      record((Record) value, depth);
    } else {
      string(out, value.toString());
    }
  }

  private void record(Record value, int depth) {
    out.append('{');
    boolean first = true;
    for (RecordComponent component : value.getClass().getRecordComponents()) {
      Object v;
      try {
        v = component.getAccessor().invoke(value);
      } catch (IllegalAccessException | InvocationTargetException | RuntimeException e) {
        continue; // a component we may not read is left out
      }
      if (!first) {
        out.append(',');
      }
      first = false;
      string(out, component.getName());
      out.append(':');
      write(v, depth + 1);
    }
    out.append('}');
  }

  /** A failure as people read it: its class and message, never its stack trace. */
  static String describe(Throwable failure) {
    String message = failure.getMessage();
    String text =
        message == null
            ? failure.getClass().getSimpleName()
            : failure.getClass().getSimpleName() + ": " + message;
    return text.length() <= 300 ? text : text.substring(0, 300) + "...";
  }

  /** {@code s} as a JSON string, quotes included. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2);
    string(b, s);
    return b.toString();
  }

  private static void string(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          out.append("\\\"");
          break;
        case '\\':
          out.append("\\\\");
          break;
        case '\n':
          out.append("\\n");
          break;
        case '\r':
          out.append("\\r");
          break;
        case '\t':
          out.append("\\t");
          break;
        default:
          if (c < 0x20 || c == 0x2028 || c == 0x2029 || c == 0x7f) {
            unicode(out, c);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i)); // a whole pair: UTF-8 carries it
          } else if (Character.isSurrogate(c)) {
            unicode(out, c); // alone, it has no UTF-8 form: escaped, it survives
          } else {
            out.append(c);
          }
      }
    }
    out.append('"');
  }

  private static void unicode(StringBuilder out, char c) {
    out.append("\\u")
        .append(HEX[(c >> 12) & 0xf])
        .append(HEX[(c >> 8) & 0xf])
        .append(HEX[(c >> 4) & 0xf])
        .append(HEX[c & 0xf]);
  }
}
