/**
 * Who has mounted what, for MOUNT DUMP (rmtab without the file). Entries are kept per
 * (client host, directory); the table is bounded so a client looping MNT cannot grow it.
 */
export const DEFAULT_MAX_MOUNT_ENTRIES = 10_000;

export interface MountEntry {
  hostname: string;
  directory: string;
}

export class MountTable {
  private readonly byKey = new Map<string, MountEntry>();
  readonly maxEntries: number;

  constructor(maxEntries = DEFAULT_MAX_MOUNT_ENTRIES) {
    this.maxEntries = maxEntries;
  }

  private static key(hostname: string, directory: string): string {
    return `${hostname}\0${directory}`;
  }

  /** Records a mount; when full, the oldest entry goes (DUMP is advisory, as in mountd). */
  add(hostname: string, directory: string): void {
    const k = MountTable.key(hostname, directory);
    if (this.byKey.has(k)) return;
    if (this.byKey.size >= this.maxEntries) {
      const oldest = this.byKey.keys().next();
      if (oldest.done !== true) this.byKey.delete(oldest.value);
    }
    this.byKey.set(k, { hostname, directory });
  }

  remove(hostname: string, directory: string): boolean {
    return this.byKey.delete(MountTable.key(hostname, directory));
  }

  removeHost(hostname: string): number {
    let n = 0;
    for (const [k, e] of this.byKey) {
      if (e.hostname === hostname) {
        this.byKey.delete(k);
        n++;
      }
    }
    return n;
  }

  list(): MountEntry[] {
    return [...this.byKey.values()];
  }

  get size(): number {
    return this.byKey.size;
  }
}
