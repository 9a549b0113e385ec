package dev.bulwark.event;

import java.time.Instant;

/** A policy let a call through. */
public record CallPermitted(String policyName, Instant wallTime) implements PolicyEvent {}
