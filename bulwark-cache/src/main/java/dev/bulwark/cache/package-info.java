/** A resilient two-level cache: {@link dev.bulwark.cache.ResilientCache}. */
package dev.bulwark.cache;
