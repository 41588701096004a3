/**
 * The server's logging that must not flood: limit messages (a flood of refused connections) and
 * handler failures (one failing cause per call).
 */
import type { Logger } from 'pino';

/** Limit messages (connection closed or refused) logged at warn per LIMIT_LOG_WINDOW_MS; the rest are counted. */
const LIMIT_LOGS_PER_WINDOW = 50;
const LIMIT_LOG_WINDOW_MS = 10_000;
/** Distinct causes of handler failures logged at error level; repeats and later causes go to trace. */
const MAX_LOGGED_CAUSES = 256;

/** The `stats()` counter a limit that closes a connection counts in. */
export type LimitCounter = 'closedForNew' | 'closedIdle' | 'closedRecordTimeout' | 'closedWriteTimeout' | 'closedPartialBudget';

/** Limit messages at warn, at most LIMIT_LOGS_PER_WINDOW per window; the suppressed ones are counted in the next window's first line. */
export class LimitLog {
  private readonly logger: Logger;
  private logs = 0;
  private window = 0;

  constructor(logger: Logger) {
    this.logger = logger;
  }

  warn(log: Logger, fields: Record<string, unknown>, msg: string): void {
    const now = Date.now();
    if (now - this.window >= LIMIT_LOG_WINDOW_MS) {
      if (this.logs > LIMIT_LOGS_PER_WINDOW) {
        this.logger.warn({ suppressed: this.logs - LIMIT_LOGS_PER_WINDOW }, 'limit messages suppressed in the last window (see stats())');
      }
      this.window = now;
      this.logs = 0;
    }
    if (this.logs++ < LIMIT_LOGS_PER_WINDOW) log.warn(fields, msg);
  }
}

/** Handler failures: each distinct cause at error level once, the rest at trace. */
export class FailureLog {
  private readonly causes = new Set<string>();

  log(log: Logger, where: string, err: unknown): void {
    const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
    const key = `${where}|${String(e?.name)}|${String(e?.code)}|${String(e?.message).slice(0, 200)}`;
    if (!this.causes.has(key) && this.causes.size < MAX_LOGGED_CAUSES) {
      this.causes.add(key);
      log.error({ err, where }, 'rpc handler failed; answering SYSTEM_ERR (further failures of this cause are logged at trace)');
    } else if (log.isLevelEnabled('trace')) {
      log.trace({ err, where }, 'rpc handler failed');
    }
  }
}
