/**
 * Fault injection (`server.faults`): make the server misbehave the way real ones do, so an
 * application's retry logic can be tested against a real server on loopback. Rules act on
 * RPC calls (NFS and MOUNT): delay a procedure, drop it (no reply: the client times out and
 * retransmits), or fail it with an nfsstat3 (NFS3ERR_JUKEBOX, NFS3ERR_STALE, NFS3ERR_NOSPC…)
 * for N calls or for calls on a path; change the write verifier (as a reboot does, so
 * clients must resend uncommitted writes); restart (hang up every connection, new
 * verifier) keeping file handles valid or not (then every handle issued before answers
 * NFS3ERR_STALE until the client mounts again).
 *
 * With no rule set, a call costs one check. LOCALIO clients do READ/WRITE/COMMIT on the
 * server's files directly, not by RPC: connect with `localio: false` to fault those.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RpcNoReply, type CallContext, type Procedure, type Program } from '@nfsts/rpc';
import { nfsstat3 } from '@nfsts/xdr';
import type { ServerCore } from './core/server-core.js';

/** A procedure by name ('WRITE', 'LOOKUP', 'MNT', …; '*' for every NFS procedure but NULL). */
export type ProcName = string;

export interface FaultMatch {
  /** only this many matching calls (default: every one until removed) */
  times?: number;
  /** only calls on this path in the export (the object, or a directory's named entry), or under it; a RegExp tests the path */
  path?: string | RegExp;
}

export interface FaultRule extends FaultMatch {
  proc: ProcName;
  action: 'delay' | 'drop' | 'fail';
  /** delay: milliseconds before the call runs */
  ms?: number;
  /** fail: the nfsstat3 to answer, by number or name */
  status?: number | string;
}

/** What `add()` and the helpers return: remove it, or count its hits. */
export interface Fault {
  readonly rule: Readonly<FaultRule>;
  /** calls this rule acted on */
  readonly hits: number;
  remove(): void;
}

const NO_ATTR = { attributes_follow: false } as const;
const NO_WCC = { before: { attributes_follow: false }, after: { attributes_follow: false } } as const;

/** The resfail arm of each NFSv3 procedure, with no attributes (all optional in RFC 1813). */
const RESFAIL: Record<string, Record<string, unknown> | undefined> = {
  GETATTR: undefined, SETATTR: { obj_wcc: NO_WCC }, LOOKUP: { dir_attributes: NO_ATTR }, ACCESS: { obj_attributes: NO_ATTR },
  READLINK: { symlink_attributes: NO_ATTR }, READ: { file_attributes: NO_ATTR }, WRITE: { file_wcc: NO_WCC },
  CREATE: { dir_wcc: NO_WCC }, MKDIR: { dir_wcc: NO_WCC }, SYMLINK: { dir_wcc: NO_WCC }, MKNOD: { dir_wcc: NO_WCC },
  REMOVE: { dir_wcc: NO_WCC }, RMDIR: { dir_wcc: NO_WCC }, RENAME: { fromdir_wcc: NO_WCC, todir_wcc: NO_WCC },
  LINK: { file_attributes: NO_ATTR, linkdir_wcc: NO_WCC }, READDIR: { dir_attributes: NO_ATTR }, READDIRPLUS: { dir_attributes: NO_ATTR },
  FSSTAT: { obj_attributes: NO_ATTR }, FSINFO: { obj_attributes: NO_ATTR }, PATHCONF: { obj_attributes: NO_ATTR }, COMMIT: { file_wcc: NO_WCC },
};

function statusNumber(s: number | string | undefined): number {
  if (typeof s === 'number' && Number.isInteger(s) && s > 0) return s;
  if (typeof s === 'string') {
    const n = (nfsstat3 as unknown as Record<string, number | undefined>)[s];
    if (typeof n === 'number' && n > 0) return n;
  }
  throw new TypeError(`faults: status must be a non-OK nfsstat3 number or name (e.g. 'NFS3ERR_JUKEBOX'), got ${JSON.stringify(s)}`);
}

/** The handle a call's arguments name and, for directory operations, the entry's name. */
function argTarget(args: unknown): { fh: Buffer; name?: string } | undefined {
  const a = args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const dirop = a.what ?? a.where ?? a.from ?? (a.object?.dir !== undefined ? a.object : undefined) ?? a.link;
  if (dirop?.dir?.data !== undefined) return { fh: dirop.dir.data as Buffer, name: dirop.name as string };
  for (const k of ['object', 'file', 'dir', 'symlink', 'fsroot']) if (a[k]?.data !== undefined) return { fh: a[k].data as Buffer };
  return undefined;
}

/** Every handle in a call's arguments (to refuse the ones a handle-losing restart invalidated). */
function argHandles(args: unknown): Buffer[] {
  const out: Buffer[] = [];
  const a = args as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  for (const v of Object.values(a ?? {})) {
    if (v?.data instanceof Uint8Array) out.push(v.data as Buffer);
    else if (v?.dir?.data instanceof Uint8Array) out.push(v.dir.data as Buffer);
  }
  return out;
}

/** Every handle a result gives out (LOOKUP, CREATE…, READDIRPLUS entries, MNT). */
function resultHandles(res: unknown): Buffer[] {
  const out: Buffer[] = [];
  const r = res as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const ok = r?.resok ?? r?.mountinfo;
  if (ok === undefined) return out;
  if (ok.object?.data instanceof Uint8Array) out.push(ok.object.data);
  if (ok.obj?.handle?.data instanceof Uint8Array) out.push(ok.obj.handle.data);
  if (ok.fhandle instanceof Uint8Array) out.push(ok.fhandle);
  for (const e of ok.reply?.entries ?? []) if (e.name_handle?.handle?.data instanceof Uint8Array) out.push(e.name_handle.handle.data);
  return out;
}

/** What path matching needs of a resolved handle: `rel` below the export root (the descriptor-based core) or an absolute `path` (the path-based one). */
interface ResolvedLike { rel?: string; path?: string; exp: { root: string } }

function relPath(r: ResolvedLike): string {
  if (typeof r.rel === 'string') return r.rel === '' ? '/' : `/${r.rel.replace(/^\/+/, '')}`;
  return (r.path ?? '').slice(r.exp.root.length) || '/';
}

interface LiveRule { rule: FaultRule; left: number; hits: number; removed: boolean }

export class ServerFaults {
  private rules: LiveRule[] = [];
  private verifier: Buffer | undefined;
  /** after a handle-losing restart: the handles issued since (others are stale) */
  private issued: Set<string> | undefined;

  /** @internal startServer() builds it */
  constructor(private readonly core: ServerCore, private readonly hangUp: () => void) {}

  /** Adds a rule; rules are tried in order, the first that matches acts. */
  add(rule: FaultRule): Fault {
    if (typeof rule.proc !== 'string' || rule.proc === '') throw new TypeError('faults: proc must be a procedure name such as \'WRITE\' or \'*\'');
    if (rule.action === 'fail') statusNumber(rule.status);
    if (rule.action === 'delay' && !(typeof rule.ms === 'number' && rule.ms >= 0)) throw new TypeError('faults: delay needs ms >= 0');
    const live: LiveRule = { rule: { ...rule, proc: rule.proc.toUpperCase() }, left: rule.times ?? Infinity, hits: 0, removed: false };
    this.rules = [...this.rules, live];
    return {
      rule: live.rule,
      get hits() { return live.hits; },
      remove: () => this.remove(live),
    };
  }

  /** Each matching call waits `ms` before it runs. */
  delay(proc: ProcName, ms: number, match: FaultMatch = {}): Fault {
    return this.add({ ...match, proc, action: 'delay', ms });
  }

  /** Matching calls get no reply (the client's timeout and retransmission are what is tested). */
  drop(proc: ProcName, match: FaultMatch = {}): Fault {
    return this.add({ ...match, proc, action: 'drop' });
  }

  /** Matching calls answer `status` (e.g. 'NFS3ERR_JUKEBOX') without running. */
  fail(proc: ProcName, status: number | string, match: FaultMatch = {}): Fault {
    return this.add({ ...match, proc, action: 'fail', status });
  }

  /** WRITE and COMMIT answer a new verifier from now on, as after a reboot: clients resend what they had not committed. */
  changeWriteVerifier(): Buffer {
    let v: Buffer;
    do v = randomBytes(8); while (v.equals(this.verifier ?? this.core.writeVerifier));
    this.verifier = v;
    return v;
  }

  /**
   * A restart: every connection hangs up (calls in flight get no reply; clients reconnect
   * and retransmit) and the write verifier changes. `keepHandles: false` (a server that
   * lost its handle state): every handle issued before answers NFS3ERR_STALE; clients must
   * MNT again and look names up anew.
   */
  restart(o: { keepHandles?: boolean } = {}): void {
    this.changeWriteVerifier();
    if (o.keepHandles === false) this.issued = new Set();
    this.hangUp();
  }

  /** Removes every rule and undoes the verifier change and handle loss. */
  clear(): void {
    this.rules = [];
    this.verifier = undefined;
    this.issued = undefined;
  }

  private remove(live: LiveRule): void {
    live.removed = true;
    this.rules = this.rules.filter((r) => r !== live);
  }

  private get active(): boolean {
    return this.rules.length > 0 || this.verifier !== undefined || this.issued !== undefined;
  }

  private async matches(r: LiveRule, name: string, args: unknown): Promise<boolean> {
    if (r.removed || r.left <= 0) return false;
    if (r.rule.proc !== '*' ? r.rule.proc !== name : name === 'NULL') return false;
    if (r.rule.path === undefined) return true;
    const t = argTarget(args);
    if (t === undefined) return false;
    const res = await this.core.handles.resolve(Buffer.from(t.fh));
    if (typeof res === 'number') return false;
    let rel = relPath(res as unknown as ResolvedLike);
    if (t.name !== undefined) rel = rel === '/' ? `/${t.name}` : `${rel}/${t.name}`;
    const p = r.rule.path;
    if (p instanceof RegExp) return p.test(rel);
    const want = p.startsWith('/') ? p : `/${p}`;
    return rel === want || rel.startsWith(`${want.replace(/\/+$/, '')}/`);
  }

  private async run<A, R>(nfs: boolean, p: Procedure<A, R>, args: A, ctx: CallContext): Promise<R> {
    if (nfs && this.issued !== undefined && p.name !== 'NULL') {
      for (const fh of argHandles(args)) {
        if (!this.issued.has(fh.toString('latin1'))) return { status: nfsstat3.NFS3ERR_STALE, ...(RESFAIL[p.name] !== undefined ? { resfail: RESFAIL[p.name] } : {}) } as R;
      }
    }
    for (const r of this.rules) {
      if (!(await this.matches(r, p.name, args))) continue;
      r.left--;
      r.hits++;
      if (r.rule.action === 'delay') {
        await sleep(r.rule.ms ?? 0);
        break;
      }
      if (r.rule.action === 'drop') throw new RpcNoReply();
      const status = statusNumber(r.rule.status);
      if (!nfs) return { fhs_status: status } as R; // MOUNT: mountstat3 shares the numbers that matter (NOENT, ACCES…)
      return { status, ...(RESFAIL[p.name] !== undefined ? { resfail: RESFAIL[p.name] } : {}) } as R;
    }
    const res = await p.handler(args, ctx);
    const ok = (res as { resok?: { verf?: Buffer } }).resok;
    if (this.verifier !== undefined && ok?.verf !== undefined && (p.name === 'WRITE' || p.name === 'COMMIT')) ok.verf = this.verifier;
    if (this.issued !== undefined) for (const fh of resultHandles(res)) this.issued.add(Buffer.from(fh).toString('latin1'));
    return res;
  }

  /** @internal A program whose procedures pass through the rules first. */
  wrap(program: Program, nfs: boolean): Program {
    const versions: Program['versions'] = {};
    for (const [v, def] of Object.entries(program.versions)) {
      const procedures: Record<number, Procedure> = {};
      for (const [n, p] of Object.entries(def.procedures)) {
        const wrapped: Procedure = {
          ...p,
          // the fast path: no rule, no changed verifier, no lost handles: straight through
          handler: (args, ctx) => (this.active ? this.run(nfs, p, args, ctx) : p.handler(args, ctx)),
        };
        procedures[Number(n)] = wrapped;
      }
      versions[Number(v)] = { procedures };
    }
    return { ...program, versions };
  }
}
