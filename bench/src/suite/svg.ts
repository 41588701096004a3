/**
 * The chart: one panel per workload, a group of bars per (queue depth, jobs), one colour per
 * target, on a log scale (the targets span three orders of magnitude). Hand-written SVG.
 */
import type { Report } from './report.js';
import { workloadTitle } from './report.js';
import { IO, TARGETS, isIoWorkload, type Cell, type TargetId, type WorkloadId } from './types.js';

export const COLORS: Record<TargetId, string> = {
  direct: '#4e79a7',
  'direct-sync': '#76b7b2',
  localio: '#59a14f',
  'localio-worker': '#8cd17d',
  'rpc-same': '#edc948',
  'rpc-child': '#f28e2b',
  ganesha: '#e15759',
  'libnfs-child': '#b07aa1',
  'libnfs-ganesha': '#9c755f',
};

const W = 1100;
const LEFT = 70;
const RIGHT = 20;
const PANEL_H = 240;
const PLOT_TOP = 34;
const PLOT_H = 160;

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** MB/s for the large-block workloads, ops/s for the rest */
function metric(w: WorkloadId): { unit: string; value: (c: Cell) => number | undefined } {
  if (isIoWorkload(w) && IO[w].bs >= 128 * 1024) return { unit: 'MB/s', value: (c) => c.mbPerSec };
  return { unit: 'ops/s', value: (c) => c.opsPerSec };
}

function short(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toPrecision(3)}M`;
  if (n >= 1e3) return `${+(n / 1e3).toPrecision(3)}k`;
  return `${+n.toPrecision(3)}`;
}

export function renderSvg(r: Report): string {
  const workloads = [...new Set(r.cells.map((c) => c.workload))];
  const targets = TARGETS.filter((t) => r.cells.some((c) => c.target === t));
  const legendH = 50;
  const H = legendH + workloads.length * PANEL_H + 20;
  const o: string[] = [];
  o.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  o.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  const m = r.machine;
  o.push(`<text x="${LEFT}" y="16" font-size="13" font-weight="bold">${esc(`nfsts benchmark — ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${m.commit.slice(0, 10)}${m.dirty ? '+dirty' : ''}, ${m.date.slice(0, 16)}Z${r.options.quick ? ' (quick: numbers mean nothing)' : ''}`)}</text>`);
  let lx = LEFT;
  for (const t of targets) {
    o.push(`<rect x="${lx}" y="26" width="12" height="12" fill="${COLORS[t]}"/><text x="${lx + 16}" y="36">${esc(t)}</text>`);
    lx += 30 + t.length * 7;
  }
  workloads.forEach((w, pi) => {
    const top = legendH + pi * PANEL_H;
    const cells = r.cells.filter((c) => c.workload === w);
    const { unit, value } = metric(w);
    const groups = [...new Set(cells.map((c) => `${c.qd}|${c.jobs}`))];
    const vals = cells.map(value).filter((v): v is number => v !== undefined && v > 0);
    const lo = vals.length ? 10 ** Math.floor(Math.log10(Math.min(...vals))) : 1;
    const hi = vals.length ? 10 ** Math.ceil(Math.log10(Math.max(...vals) * 1.0001)) : 10;
    const y = (v: number): number => top + PLOT_TOP + PLOT_H - (Math.log10(v / lo) / Math.log10(hi / lo)) * PLOT_H;
    const base = top + PLOT_TOP + PLOT_H;
    o.push(`<text x="${LEFT}" y="${top + 22}" font-size="12" font-weight="bold">${esc(`${workloadTitle(w)} (${unit}, log scale)`)}</text>`);
    for (let d = lo; d <= hi * 1.0001; d *= 10) {
      const yy = y(d).toFixed(1);
      o.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${yy}" y2="${yy}" stroke="#ddd"/><text x="${LEFT - 6}" y="${(+yy + 4).toFixed(1)}" text-anchor="end">${short(d)}</text>`);
    }
    const gw = (W - LEFT - RIGHT) / Math.max(1, groups.length);
    const bw = Math.min(28, (gw * 0.85) / Math.max(1, targets.length));
    groups.forEach((g, gi) => {
      const [qd, jobs] = g.split('|');
      const gx = LEFT + gi * gw + (gw - bw * targets.length) / 2;
      targets.forEach((t, ti) => {
        const c = cells.find((x) => x.target === t && `${x.qd}|${x.jobs}` === g);
        const x = gx + ti * bw;
        const v = c ? value(c) : undefined;
        if (c && v !== undefined && v > 0) {
          const yy = y(v);
          o.push(`<rect x="${x.toFixed(1)}" y="${yy.toFixed(1)}" width="${(bw - 2).toFixed(1)}" height="${(base - yy).toFixed(1)}" fill="${COLORS[t]}"><title>${esc(`${t}, QD ${qd}, ${jobs} job(s): ${short(v)} ${unit}`)}</title></rect>`);
          o.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(yy - 3).toFixed(1)}" text-anchor="middle" font-size="8">${short(v)}</text>`);
        } else if (c) {
          const why = c.skip !== undefined ? `skipped: ${c.skip}` : `error: ${c.error ?? 'no result'}`;
          o.push(`<text x="${(x + bw / 2 - 1).toFixed(1)}" y="${(base - 4).toFixed(1)}" text-anchor="middle" fill="${COLORS[t]}">×<title>${esc(`${t}: ${why}`)}</title></text>`);
        }
      });
      o.push(`<text x="${(LEFT + gi * gw + gw / 2).toFixed(1)}" y="${base + 16}" text-anchor="middle">${esc(`QD ${qd}, ${jobs} job${jobs === '1' ? '' : 's'}`)}</text>`);
    });
    o.push(`<line x1="${LEFT}" x2="${W - RIGHT}" y1="${base}" y2="${base}" stroke="#333"/>`);
  });
  o.push('</svg>');
  return `${o.join('\n')}\n`;
}
