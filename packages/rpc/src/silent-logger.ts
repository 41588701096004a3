/**
 * The logger used when none is passed in: pino's Logger shape, doing nothing. Built by hand so
 * that a program that logs nothing never loads pino (the largest single import of start-up).
 */
import type { Logger } from 'pino';

function noop(): void {}

const silent = {
  level: 'silent',
  levelVal: Infinity,
  fatal: noop, error: noop, warn: noop, info: noop, debug: noop, trace: noop, silent: noop,
  child(): Logger {
    return silent;
  },
  isLevelEnabled(): boolean {
    return false;
  },
  bindings(): Record<string, unknown> {
    return {};
  },
  setBindings: noop,
  flush: noop,
} as unknown as Logger;

/** The shared silent logger. */
export function silentLogger(): Logger {
  return silent;
}
