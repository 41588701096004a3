import { XdrReader, type XdrWriter, xdr_authsys_parms, type authsys_parms } from '@nfsts/xdr';
import { RpcError } from './errors.js';
import { AUTH_NONE, AUTH_SYS, MAX_AUTH_BYTES, MAX_GIDS, MAX_MACHINENAME } from './wire.js';

/** authsys_parms (RFC 5531 appendix A), as generated from rpc_prot.x. */
export type AuthSys = authsys_parms;

/** AUTH_NONE or AUTH_SYS credentials. */
export type Credential = { flavor: 0 } | { flavor: 1; sys: AuthSys };

export const AUTH_NONE_CRED: Credential = Object.freeze({ flavor: 0 }) as Credential;

/** Builds AUTH_SYS credentials; machinename defaults to 'nfsts', stamp to 0. */
export function authSys(p: { uid: number; gid: number; gids?: number[]; machinename?: string; stamp?: number }): Credential {
  const sys: AuthSys = {
    stamp: p.stamp ?? 0,
    machinename: p.machinename ?? 'nfsts',
    uid: p.uid,
    gid: p.gid,
    gids: p.gids ?? [],
  };
  // Fail here, at the caller, rather than on every call.
  const n = authSysSize(sys);
  if (n > MAX_AUTH_BYTES) throw new RpcError('ERR_RPC_INVALID_OPTION', `AUTH_SYS credentials take ${n} bytes, more than ${MAX_AUTH_BYTES}`);
  if (sys.gids.length > MAX_GIDS) throw new RpcError('ERR_RPC_INVALID_OPTION', `AUTH_SYS allows at most ${MAX_GIDS} gids, got ${sys.gids.length}`);
  if (Buffer.byteLength(sys.machinename) > MAX_MACHINENAME) {
    throw new RpcError('ERR_RPC_INVALID_OPTION', `AUTH_SYS machinename is longer than ${MAX_MACHINENAME} bytes`);
  }
  for (const [k, v] of [['uid', sys.uid], ['gid', sys.gid], ['stamp', sys.stamp], ...sys.gids.map((g, i) => [`gids[${i}]`, g] as const)] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RpcError('ERR_RPC_INVALID_OPTION', `AUTH_SYS ${k} must be an unsigned 32-bit integer, got ${v}`);
  }
  return { flavor: AUTH_SYS, sys };
}

/** Wire size of an authsys_parms body. */
export function authSysSize(s: AuthSys): number {
  return xdr_authsys_parms.size(s);
}

/** Wire size of a credential as opaque_auth (flavor + length + body). */
export function credentialSize(c: Credential): number {
  return c.flavor === AUTH_SYS ? 8 + authSysSize(c.sys) : 8;
}

/** Writes a credential as opaque_auth. */
export function encodeCredential(w: XdrWriter, c: Credential): void {
  if (c.flavor === AUTH_SYS) {
    w.u32(AUTH_SYS);
    w.u32(authSysSize(c.sys));
    xdr_authsys_parms.encode(w, c.sys);
  } else {
    w.u32(AUTH_NONE);
    w.u32(0);
  }
}

/**
 * Parses an AUTH_SYS body (the opaque_auth body, already bounded to 400 bytes). Throws
 * XdrError when it is malformed: short, too many gids, a machinename over 255 bytes, or
 * bytes left over.
 */
export function parseAuthSys(body: Buffer): AuthSys {
  const r = new XdrReader(body);
  const v = xdr_authsys_parms.decode(r);
  r.assertDone('authsys_parms');
  return v;
}
