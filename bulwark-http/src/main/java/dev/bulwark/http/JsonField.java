package dev.bulwark.http;

import org.jspecify.annotations.Nullable;

/*
 * Finds one string field at the top level of a JSON object, without a JSON library: enough to read
 * {"status":"UP", ...} from a health endpoint. It scans once, tracking nesting and strings, and
 * reads only keys at depth 1, so a nested {"db":{"status":"DOWN"}} is not mistaken for the
 * service's own status. Anything it does not understand (not an object, a non-string value, a
 * broken escape) yields null, which the check counts as unhealthy: it never throws on bad input.
 * Input is bounded by the caller (the body is read up to a limit).
 */
final class JsonField {
  private JsonField() {}

  /** The string value of {@code field} at the top level of {@code json}, or null. */
  static @Nullable String topLevelString(String json, String field) {
    int i = skipSpace(json, 0);
    if (i >= json.length() || json.charAt(i) != '{') {
      return null;
    }
    int depth = 0;
    boolean expectKey = false;
    for (; i < json.length(); i = i + 1) { // i also jumps past strings, below
      char c = json.charAt(i);
      if (c == '{' || c == '[') {
        depth++;
        expectKey = c == '{' && depth == 1;
      } else if (c == '}' || c == ']') {
        depth--;
        if (depth <= 0) {
          return null;
        }
      } else if (c == ',') {
        expectKey = depth == 1;
      } else if (c == '"') {
        int end = endOfString(json, i);
        if (end < 0) {
          return null;
        }
        if (depth == 1 && expectKey) {
          String key = unescape(json, i + 1, end);
          int colon = skipSpace(json, end + 1);
          if (colon >= json.length() || json.charAt(colon) != ':') {
            return null;
          }
          int value = skipSpace(json, colon + 1);
          if (field.equals(key)) {
            if (value >= json.length() || json.charAt(value) != '"') {
              return null; // not a string
            }
            int valueEnd = endOfString(json, value);
            return valueEnd < 0 ? null : unescape(json, value + 1, valueEnd);
          }
          expectKey = false;
          i = colon;
        } else {
          i = end;
        }
      }
    }
    return null;
  }

  private static int skipSpace(String s, int from) {
    int i = from;
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  /** The index of the quote closing the string opened at {@code open}, or -1. */
  private static int endOfString(String s, int open) {
    int i = open + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        return i;
      }
      i += c == '\\' ? 2 : 1; // an escaped character is skipped with its backslash
    }
    return -1;
  }

  /** The text between {@code from} and {@code to} with simple escapes undone. */
  private static @Nullable String unescape(String s, int from, int to) {
    StringBuilder out = new StringBuilder(to - from);
    int i = from;
    while (i < to) {
      char c = s.charAt(i);
      i++;
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = s.charAt(i);
      switch (e) {
        case '"', '\\', '/' -> out.append(e);
        case 'n' -> out.append('\n');
        case 't' -> out.append('\t');
        case 'r' -> out.append('\r');
        case 'b' -> out.append('\b');
        case 'f' -> out.append('\f');
        case 'u' -> {
          if (i + 4 >= to) { // four hex digits must fit before the closing quote
            return null;
          }
          try {
            out.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException ex) {
            return null;
          }
          i += 4;
        }
        default -> {
          return null;
        }
      }
      i++; // past the escape's letter
    }
    return out.toString();
  }
}
