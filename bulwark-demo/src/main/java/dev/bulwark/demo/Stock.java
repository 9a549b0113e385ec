package dev.bulwark.demo;

/**
 * What the inventory service answers: units in stock for one item, and which call produced the
 * answer (so a fallback can be told from a fresh answer by its age).
 *
 * @param units units in stock
 * @param callNumber the service call that produced this answer, counting from 1
 */
public record Stock(int units, long callNumber) {}
