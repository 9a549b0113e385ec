package dev.bulwark.demo;

/**
 * What a client counted on its side of the wire; -1 where the client has no such thing.
 *
 * @param cut attempts abandoned because they outlived the per-attempt (or per-request) timeout
 * @param heldBack requests refused without a call because the server had asked, with {@code
 *     Retry-After}, for a pause that was still running
 * @param refused requests refused without a call by an open circuit breaker
 *     <p>Immutable; thread-safe.
 */
public record ClientCounts(long cut, long heldBack, long refused) {}
