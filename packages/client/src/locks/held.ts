/** The locks this client holds on one file for one owner, kept to reclaim them after a server restart. */
export interface HeldRange {
  start: bigint;
  /** exclusive end; END for "to the end of the file" */
  end: bigint;
  exclusive: boolean;
}

export const END = 1n << 64n;

/** Removes [start, end) from the list, splitting ranges that cross it. */
export function carve(list: HeldRange[], start: bigint, end: bigint): HeldRange[] {
  const out: HeldRange[] = [];
  for (const r of list) {
    if (r.end <= start || r.start >= end) {
      out.push(r);
      continue;
    }
    if (r.start < start) out.push({ ...r, end: start });
    if (r.end > end) out.push({ ...r, start: end });
  }
  return out;
}
