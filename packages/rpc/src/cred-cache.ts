import { parseAuthSys, type Credential } from './auth.js';
import { AUTH_SYS } from './wire.js';

/**
 * The AUTH_SYS credential of a connection's calls. A client sends the same credential bytes call
 * after call: the last one parsed is kept (frozen, shared by its calls) with a copy of its bytes,
 * and reused while they match, which saves a parse and its objects per call (issue 12: about 400
 * of the 8,000 bytes a 4 KiB READ allocated).
 */
export class CredentialCache {
  /** the last AUTH_SYS credential body seen (a copy) and the Credential parsed from it */
  private key: Buffer | null = null;
  private last: Credential | null = null;

  /** The credential of `body`; throws as parseAuthSys() does on a malformed one. */
  authSys(body: Buffer): Credential {
    const key = this.key;
    if (key !== null && key.length === body.length && key.equals(body)) return this.last!;
    const sys = parseAuthSys(body);
    Object.freeze(sys.gids);
    const cred: Credential = Object.freeze({ flavor: AUTH_SYS, sys: Object.freeze(sys) });
    this.key = Buffer.from(body); // a copy: the record's buffer may be pooled and reused
    this.last = cred;
    return cred;
  }
}
