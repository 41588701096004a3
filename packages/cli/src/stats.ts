/**
 * `nfsts stats URL|HOST:PORT [--watch [SECONDS]] [--count N]`: reads a server's `/metrics`
 * and prints an `nfsstat -s`-like table (calls per procedure with their share, errors by
 * status, bytes, connections, caches, handle resolutions). `--watch` reprints it every
 * SECONDS (default 2) with the calls per second since the last print.
 */
import { parseArgs } from 'node:util';
import type { CliIo } from './cli.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export const STATS_USAGE = `Usage: nfsts stats URL|HOST:PORT [--watch [SECONDS]] [--count N]

Print a running server's counters (from its --metrics endpoint) as nfsstat -s does.

  URL|HOST:PORT   http://127.0.0.1:9464/metrics, or just 127.0.0.1:9464
  --watch [S]     print again every S seconds (default 2), with calls per second
  --count N       with --watch: stop after N prints
`;

/** Parses Prometheus text exposition lines (`name{a="b",...} value`); comments are skipped. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (m === null) continue;
    const labels: Record<string, string> = {};
    if (m[2] !== undefined) {
      for (const l of m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** `HOST:PORT`, `HOST:PORT/path` or a URL → the metrics URL (`/metrics` when no path is given). */
export function metricsUrl(target: string): string {
  const url = new URL(/^https?:\/\//.test(target) ? target : `http://${target}`);
  if (url.pathname === '/') url.pathname = '/metrics';
  return url.href;
}

function sum(samples: Sample[], name: string, where: (l: Record<string, string>) => boolean = () => true): number {
  let n = 0;
  for (const s of samples) if (s.name === name && where(s.labels)) n += s.value;
  return n;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

/** nfsstat's layout: rows of names, then rows of `count pct%`, six columns. */
function procTable(rows: Array<{ name: string; calls: number }>, rate: Map<string, number> | null): string[] {
  const total = rows.reduce((a, r) => a + r.calls, 0);
  const lines: string[] = [];
  const W = 13;
  for (let i = 0; i < rows.length; i += 6) {
    const chunk = rows.slice(i, i + 6);
    lines.push(chunk.map((r) => r.name.toLowerCase().padEnd(W)).join('').trimEnd());
    lines.push(chunk.map((r) => {
      const pct = total === 0 ? 0 : Math.round((r.calls / total) * 100);
      return `${r.calls} ${pct}%`.padEnd(W);
    }).join('').trimEnd());
    if (rate !== null) lines.push(chunk.map((r) => `${(rate.get(r.name) ?? 0).toFixed(1)}/s`.padEnd(W)).join('').trimEnd());
  }
  return lines;
}

/** Formats one scrape; `prev` (the last scrape and its time) adds calls per second. */
export function formatStats(samples: Sample[], prev: { samples: Sample[]; seconds: number } | null): string {
  const out: string[] = [];
  const calls = samples.filter((s) => s.name === 'nfsts_rpc_calls_total');
  const total = calls.reduce((a, s) => a + s.value, 0);
  const errors = sum(samples, 'nfsts_rpc_errors_total');
  out.push('Server rpc stats:');
  out.push(`${'calls'.padEnd(13)}${'errors'.padEnd(13)}${'autherr'.padEnd(13)}${'in flight'.padEnd(13)}queued`);
  out.push(`${String(total).padEnd(13)}${String(errors).padEnd(13)}${String(sum(samples, 'nfsts_rpc_auth_errors_total')).padEnd(13)}${String(sum(samples, 'nfsts_rpc_in_flight')).padEnd(13)}${bytes(sum(samples, 'nfsts_reply_queued_bytes')).padEnd(13)}`.trimEnd());
  out.push('');
  const groups = new Map<string, Sample[]>();
  for (const s of calls) {
    const key = `${s.labels.program ?? '?'} v${s.labels.version ?? '?'}`;
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = []));
    g.push(s);
  }
  for (const [key, g] of groups) {
    const rows = g.map((s) => ({ name: s.labels.procedure ?? '?', calls: s.value }));
    let rate: Map<string, number> | null = null;
    if (prev !== null && prev.seconds > 0) {
      rate = new Map();
      for (const s of g) {
        const before = prev.samples.find((p) => p.name === s.name && p.labels.program === s.labels.program && p.labels.version === s.labels.version && p.labels.procedure === s.labels.procedure);
        rate.set(s.labels.procedure ?? '?', (s.value - (before?.value ?? 0)) / prev.seconds);
      }
    }
    out.push(`Server ${key}:`);
    out.push(...procTable(rows, rate));
    out.push('');
  }
  const errs = samples.filter((s) => s.name === 'nfsts_rpc_errors_total' && s.value > 0);
  if (errs.length > 0) {
    out.push('Errors:');
    for (const s of errs) out.push(`  ${`${s.labels.program} ${s.labels.procedure}`.padEnd(24)}${(s.labels.status ?? '').padEnd(24)}${s.value}`);
    out.push('');
  }
  out.push(`I/O:          read ${bytes(sum(samples, 'nfsts_nfs_read_bytes_total'))}, written ${bytes(sum(samples, 'nfsts_nfs_written_bytes_total'))}`);
  out.push(`Connections:  ${sum(samples, 'nfsts_connections_open')} open, ${sum(samples, 'nfsts_connections_accepted_total')} accepted, ${sum(samples, 'nfsts_connections_refused_total')} refused, ${sum(samples, 'nfsts_connections_closed_total', (l) => l.reason === 'limit')} closed by a limit`);
  out.push(`File cache:   ${sum(samples, 'nfsts_file_cache_entries')} entries, ${sum(samples, 'nfsts_file_cache_hits_total')} hits, ${sum(samples, 'nfsts_file_cache_misses_total')} misses, ${sum(samples, 'nfsts_file_cache_evictions_total')} evictions`);
  const how = (h: string): number => sum(samples, 'nfsts_handle_resolutions_total', (l) => l.how === h);
  out.push(`Handles:      ${how('fast')} fast, ${how('index')} index, ${how('search')} search, ${how('stale')} stale`);
  out.push(`LOCALIO:      ${sum(samples, 'nfsts_localio_clients')} clients, ${sum(samples, 'nfsts_localio_binds_total')} binds, ${sum(samples, 'nfsts_localio_opens_total', (l) => l.result === 'granted')} opens, ${sum(samples, 'nfsts_localio_opens_total', (l) => l.result === 'refused')} refused, ${sum(samples, 'nfsts_localio_fallbacks_total')} fallbacks`);
  return `${out.join('\n')}\n`;
}

async function scrape(url: string): Promise<Sample[]> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new Error(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`${url} answered ${res.status} ${res.statusText}`);
  const samples = parseMetrics(text);
  if (!samples.some((s) => s.name === 'nfsts_rpc_calls_total')) throw new Error(`${url} has no nfsts metrics (is it an nfsts server's --metrics address?)`);
  return samples;
}

export async function runStats(argv: string[], io: CliIo): Promise<number> {
  let values: { watch?: boolean; count?: string; help?: boolean };
  let positionals: string[];
  try {
    // --watch takes an optional number: pull it out before parseArgs
    const args = [...argv];
    let every = 2;
    const w = args.indexOf('--watch');
    if (w >= 0 && args[w + 1] !== undefined && /^\d+(\.\d+)?$/.test(args[w + 1]!)) every = Number(args.splice(w + 1, 1)[0]);
    ({ values, positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: { watch: { type: 'boolean' }, count: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
    if (values.help === true) {
      io.stdout(STATS_USAGE);
      return 0;
    }
    if (positionals.length !== 1) throw new Error(`stats takes one URL or HOST:PORT (try: nfsts stats --help)`);
    const count = values.count === undefined ? Infinity : Number(values.count);
    if (!(Number.isInteger(count) && count > 0) && count !== Infinity) throw new Error(`bad --count "${values.count}": must be a whole number > 0`);
    if (!(every > 0)) throw new Error('bad --watch: the interval must be more than 0 seconds');
    const url = metricsUrl(positionals[0]!);
    if (values.watch !== true) {
      io.stdout(formatStats(await scrape(url), null));
      return 0;
    }
    let stop = false;
    void io.waitForSignal().then(() => (stop = true));
    let prev: { samples: Sample[]; at: number } | null = null;
    for (let n = 0; n < count && !stop; n++) {
      if (n > 0) await new Promise((r) => setTimeout(r, every * 1000));
      if (stop) break;
      const samples = await scrape(url);
      const at = performance.now();
      const header = `${new Date().toISOString()}  ${url}  every ${every} s\n\n`;
      io.stdout(`\x1b[H\x1b[2J${header}${formatStats(samples, prev === null ? null : { samples: prev.samples, seconds: (at - prev.at) / 1000 })}`);
      prev = { samples, at };
    }
    return 0;
  } catch (err) {
    io.stderr(`nfsts: ${(err as Error).message}\n`);
    return 1;
  }
}
