/**
 * Rate limiting: {@link dev.bulwark.ratelimit.RateLimiter} keeps our own calls under a rate (token
 * bucket or fixed window), and {@link dev.bulwark.ratelimit.RetryAfter} reads a server's {@code
 * Retry-After} so that we wait as long as it asks (within reason) and, through {@link
 * dev.bulwark.ratelimit.ServerBusyException}, hold back every caller of a limiter meanwhile.
 */
package dev.bulwark.ratelimit;
