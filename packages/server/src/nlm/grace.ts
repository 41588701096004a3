/**
 * The grace period after a restart (as knfsd's, default 90 s): clients that held locks before
 * the restart were told by SM_NOTIFY and reclaim them; until it ends only reclaims are granted
 * and new locks (and TEST) get NLM4_DENIED_GRACE_PERIOD. A server that had no locks held when
 * it went down starts without one: nobody has anything to reclaim.
 */
export const DEFAULT_GRACE_MS = 90_000;

export class GracePeriod {
  private endsAt: number;

  constructor(ms: number) {
    this.endsAt = ms > 0 ? performance.now() + ms : 0;
  }

  get active(): boolean {
    if (this.endsAt === 0) return false;
    if (performance.now() >= this.endsAt) this.endsAt = 0;
    return this.endsAt !== 0;
  }

  /** Ends it now (all monitored clients have reclaimed, or a test). */
  end(): void {
    this.endsAt = 0;
  }
}
