/**
 * The seams other modules implement: {@link dev.bulwark.spi.PolicyKind} describes a kind of policy
 * the registry holds, with its {@link dev.bulwark.spi.Setting settings}; a {@link
 * dev.bulwark.spi.PolicyKindProvider} adds kinds found on the class path.
 *
 * <p>Depends only on {@code dev.bulwark.policy}, {@code dev.bulwark.event} and {@code
 * dev.bulwark.time}.
 */
package dev.bulwark.spi;
