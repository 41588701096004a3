/**
 * Per-caller credentials: each FUSE request carries the caller's uid, gid and pid; the NFS
 * calls made for it carry AUTH_SYS with that uid and gid and the caller's supplementary groups
 * (from /proc/PID/status), so the server checks each user's own permissions on an allow_other
 * mount. One Nfs3Raw per distinct credential, kept while in use.
 */
import { readFileSync } from 'node:fs';
import { Nfs3Raw, type NfsClient } from '@nfsts/client';
import { authSys, type Credential } from '@nfsts/rpc';

/** AUTH_SYS carries at most 16 supplementary groups */
const MAX_GIDS = 16;
/** how long a process's groups are trusted before /proc is read again */
const GROUPS_TTL_MS = 2_000;
const MAX_CACHED = 1024;

export interface Caller {
  cred: Credential;
  raw: Nfs3Raw;
}

export class Credentials {
  private readonly byKey = new Map<string, Caller>();
  private readonly groups = new Map<number, { at: number; uid: number; gids: number[] }>();
  private readonly fixed: Caller | null;

  constructor(private readonly client: NfsClient, identity: { uid: number; gid: number } | null) {
    this.fixed = identity === null ? null : this.make(identity.uid, identity.gid, []);
  }

  /** the caller for a request from uid/gid/pid */
  of(uid: number, gid: number, pid: number): Caller {
    if (this.fixed !== null) return this.fixed;
    const gids = pid === 0 ? [] : this.groupsOf(pid, uid);
    const key = `${uid}:${gid}:${gids.join(',')}`;
    let c = this.byKey.get(key);
    if (c === undefined) {
      if (this.byKey.size >= MAX_CACHED) this.byKey.clear();
      c = this.make(uid, gid, gids);
      this.byKey.set(key, c);
    }
    return c;
  }

  private make(uid: number, gid: number, gids: number[]): Caller {
    const cred = authSys({ uid, gid, gids, machinename: this.client.credential.flavor === 1 ? this.client.credential.sys.machinename : 'nfsts' });
    const rpc = this.client.rpcClient;
    const raw = new Nfs3Raw({
      call: (prog, vers, proc, args, argValue, res, opts) => rpc.call(prog, vers, proc, args, argValue, res, { ...opts, cred }),
      close: async () => {},
    });
    return { cred, raw };
  }

  private groupsOf(pid: number, uid: number): number[] {
    const now = Date.now();
    const hit = this.groups.get(pid);
    if (hit !== undefined && hit.uid === uid && now - hit.at < GROUPS_TTL_MS) return hit.gids;
    let gids: number[] = [];
    try {
      const m = /^Groups:[ \t]*(.*)$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
      if (m !== null) gids = m[1]!.trim().split(/\s+/).filter((s) => s !== '').map(Number).filter((g) => Number.isInteger(g) && g >= 0).slice(0, MAX_GIDS);
    } catch {
      // the process is gone (or /proc is not ours): its uid and gid alone
    }
    if (this.groups.size >= MAX_CACHED) this.groups.clear();
    this.groups.set(pid, { at: now, uid, gids });
    return gids;
  }
}
