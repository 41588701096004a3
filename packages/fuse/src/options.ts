/** Mount options: DEFAULT_* constants and parseOptions()/parseMountOptionString(). */
import type { Logger } from 'pino';

/** attribute and entry validity the kernel may cache (as NFS's actimeo), in ms */
export const DEFAULT_ACTIMEO_MS = 1_000;
/** a soft mount's time before an unanswered call fails with ETIMEDOUT (as NFS's timeo × retrans) */
export const DEFAULT_SOFT_TIMEOUT_MS = 30_000;
/** a hard mount's pause between tries while the server is away */
export const DEFAULT_HARD_RETRY_MS = 1_000;
/** bytes of UNSTABLE writes an open file keeps (to resend after a server restart) before it commits */
export const DEFAULT_MAX_UNCOMMITTED = 64 * 1024 * 1024;
/** the mount's readahead window in KiB (one maximal READ); the kernel's own default is 128 */
export const DEFAULT_READAHEAD_KB = 1024;
/** FUSE passthrough for LOCALIO files: on where the kernel and privileges allow it */
export const DEFAULT_PASSTHROUGH: PassthroughMode = 'auto';

/**
 * FUSE passthrough of LOCALIO files (the kernel reads and writes the server's file itself):
 * 'auto' uses it where the kernel (>= 6.9) and privileges (CAP_SYS_ADMIN) allow, 'on' the
 * same but warns when it cannot, 'off' never.
 */
export type PassthroughMode = 'on' | 'off' | 'auto';

export interface FuseMountOptions {
  /** read-only mount */
  ro?: boolean;
  /** let users other than the mounter use the mount (each with their own credentials) */
  allowOther?: boolean;
  /** the kernel checks permissions from the mode bits (as a local fs); else the server decides */
  defaultPermissions?: boolean;
  /** a fixed identity for every call instead of each caller's own */
  uid?: number;
  gid?: number;
  /** attribute/entry cache time in ms; 0 = noac */
  actimeoMs?: number;
  /** soft: calls fail with ETIMEDOUT after timeoutMs; hard (default): they wait for the server */
  soft?: boolean;
  timeoutMs?: number;
  /** false: never use LOCALIO even when the server shares this process */
  localio?: boolean;
  maxUncommitted?: number;
  /** readahead window in KiB (set through sysfs, so as root only); 0 leaves the kernel's 128 */
  readaheadKb?: number;
  passthrough?: PassthroughMode;
  /** name shown in /proc/mounts */
  fsname?: string;
  logger?: Logger;
}

export interface ResolvedFuseOptions {
  ro: boolean;
  allowOther: boolean;
  defaultPermissions: boolean;
  identity: { uid: number; gid: number } | null;
  actimeoMs: number;
  soft: boolean;
  timeoutMs: number;
  localio: boolean;
  maxUncommitted: number;
  readaheadKb: number;
  passthrough: PassthroughMode;
  fsname: string;
  logger: Logger | undefined;
}

export class FuseOptionError extends Error {
  readonly code = 'ERR_FUSE_INVALID_OPTION';
  constructor(readonly property: string, message: string) {
    super(`${property}: ${message}`);
  }
}

function int(name: string, v: unknown, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new FuseOptionError(name, `must be an integer from ${min} to ${max}, got ${String(v)}`);
  return v;
}

function bool(name: string, v: unknown, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new FuseOptionError(name, `must be a boolean, got ${String(v)}`);
  return v;
}

function passthroughMode(name: string, v: unknown): PassthroughMode {
  if (v === undefined) return DEFAULT_PASSTHROUGH;
  if (v !== 'on' && v !== 'off' && v !== 'auto') throw new FuseOptionError(name, `must be on, off or auto, got ${String(v)}`);
  return v;
}

export function parseOptions(o: FuseMountOptions = {}): ResolvedFuseOptions {
  const uid = o.uid === undefined ? undefined : int('uid', o.uid, 0, 0xffffffff, 0);
  const gid = o.gid === undefined ? undefined : int('gid', o.gid, 0, 0xffffffff, 0);
  if ((uid === undefined) !== (gid === undefined)) throw new FuseOptionError(uid === undefined ? 'uid' : 'gid', 'a fixed identity needs both uid and gid');
  return {
    ro: bool('ro', o.ro, false),
    allowOther: bool('allowOther', o.allowOther, false),
    defaultPermissions: bool('defaultPermissions', o.defaultPermissions, false),
    identity: uid === undefined ? null : { uid, gid: gid! },
    actimeoMs: int('actimeoMs', o.actimeoMs, 0, 3_600_000, DEFAULT_ACTIMEO_MS),
    soft: bool('soft', o.soft, false),
    timeoutMs: int('timeoutMs', o.timeoutMs, 100, 3_600_000, DEFAULT_SOFT_TIMEOUT_MS),
    localio: bool('localio', o.localio, true),
    maxUncommitted: int('maxUncommitted', o.maxUncommitted, 0, 2 ** 40, DEFAULT_MAX_UNCOMMITTED),
    readaheadKb: int('readaheadKb', o.readaheadKb, 0, 1024 * 1024, DEFAULT_READAHEAD_KB),
    passthrough: passthroughMode('passthrough', o.passthrough),
    fsname: typeof o.fsname === 'string' && o.fsname !== '' ? o.fsname : 'nfsts',
    logger: o.logger,
  };
}

/**
 * `-o` as mount(8) spells it: `ro,allow_other,default_permissions,uid=N,gid=N,actimeo=S,noac,
 * soft,hard,timeo=DECISECONDS,localio=off,readahead=KB,passthrough=on|off|auto`. Unknown options are an error naming them.
 */
export function parseMountOptionString(s: string): FuseMountOptions {
  const o: FuseMountOptions = {};
  const num = (k: string, v: string | undefined): number => {
    if (v === undefined || !/^\d+$/.test(v)) throw new FuseOptionError(`-o ${k}`, `needs a number, got ${v === undefined ? 'nothing' : `"${v}"`}`);
    return Number(v);
  };
  for (const part of s.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = eq < 0 ? part : part.slice(0, eq);
    const v = eq < 0 ? undefined : part.slice(eq + 1);
    switch (k) {
      case 'ro': o.ro = true; break;
      case 'rw': o.ro = false; break;
      case 'allow_other': o.allowOther = true; break;
      case 'default_permissions': o.defaultPermissions = true; break;
      case 'uid': o.uid = num(k, v); break;
      case 'gid': o.gid = num(k, v); break;
      case 'actimeo': o.actimeoMs = num(k, v) * 1000; break;
      case 'noac': o.actimeoMs = 0; break;
      case 'soft': o.soft = true; break;
      case 'hard': o.soft = false; break;
      case 'timeo': o.timeoutMs = num(k, v) * 100; break;
      case 'localio':
        if (v !== 'on' && v !== 'off') throw new FuseOptionError('-o localio', `must be on or off, got "${v ?? ''}"`);
        o.localio = v === 'on';
        break;
      case 'readahead': o.readaheadKb = num(k, v); break;
      case 'passthrough': o.passthrough = passthroughMode('-o passthrough', v ?? ''); break;
      case 'fsname': o.fsname = v ?? ''; break;
      default: throw new FuseOptionError('-o', `unknown option "${k}"`);
    }
  }
  return o;
}
