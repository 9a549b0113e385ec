package dev.bulwark.demo;

/** What the user got back from one request. */
public enum Answer {
  /** A value the service has just produced. */
  FRESH,
  /** The last known good value, served because the service could not answer. */
  FALLBACK,
  /** An error: the user got nothing. */
  FAILED
}
