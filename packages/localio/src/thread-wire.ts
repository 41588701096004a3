/**
 * The messages LOCALIO threads exchange on `BroadcastChannel`s (process-wide by name, so a
 * server and a client meet whichever thread created which). A channel name with a server id
 * or a thread key in it is in effect a private line: only that server's or thread's side
 * listens on it.
 *
 *  - HUB: server → every thread: `bind` (a UUID_IS_LOCAL this server's thread could not find);
 *    client thread → every server: `hello` (before each probe: until a server has heard
 *    one, no other thread can hold a uuid, and UUID_IS_LOCAL does not wait)
 *  - `serverChannel(id)`: client thread → server: `bound`, `open`, `release`, `end`
 *  - `threadChannel(key)`: server → client thread: `opened`, `refused`, `failed`, `shutdown`, `unbind`
 *
 * Shared memory: each server's `SharedArrayBuffer` (sent with `bind`) holds its closing flag
 * at index CLOSING, read with `Atomics.load` by every client thread on every operation; an
 * unconditional grant's `watch` word (sent with `opened`) says whether its file was dropped.
 */
import type { Credential } from '@nfsts/rpc';
import type { LocalFileMode } from '@nfsts/common';

export const HUB_CHANNEL = 'nfsts.localio.v1.hub';
export const serverChannel = (serverId: string): string => `nfsts.localio.v1.server.${serverId}`;
export const threadChannel = (threadKey: string): string => `nfsts.localio.v1.thread.${threadKey}`;

/** index of the closing flag (0 open, 1 closing) in a server's shared Int32Array */
export const CLOSING = 0;
export const SHARED_WORDS = 1;

/** how long UUID_IS_LOCAL waits for another thread to claim an unknown uuid */
export const DEFAULT_REMOTE_BIND_TIMEOUT_MS = 200;
/** how often a side holding cross-thread state checks that the other thread still runs */
export const DEFAULT_THREAD_CHECK_MS = 1000;
/** the same while server.close() waits for another thread's references */
export const CLOSE_THREAD_CHECK_MS = 20;

export interface BindMsg {
  t: 'bind'; reqId: number; uuid: string; serverId: string; serverThread: string; shared: SharedArrayBuffer; verifier: Uint8Array;
}
export interface HelloMsg { t: 'hello'; thread: string }
export interface BoundMsg { t: 'bound'; reqId: number; uuid: string; thread: string }
export interface OpenMsg { t: 'open'; id: number; uuid: string; thread: string; cred: Credential; fh: Uint8Array; mode: LocalFileMode }
export interface ReleaseMsg { t: 'release'; grant: number }
export interface EndMsg { t: 'end'; uuid: string }
export type ToServer = BoundMsg | OpenMsg | ReleaseMsg | EndMsg;

/**
 * `attrs`: the mode, uid and gid the server's permission check saw, and the file's dev and ino
 * (the client re-checks against them: a descriptor number that no longer names this file is
 * dropped, whatever happened to the server's thread)
 */
export type GrantAttrs = [mode: number, uid: number, gid: number, dev: number, ino: number];
/**
 * `watch`: for a grant whose check cannot depend on the file's attributes (a root credential
 * after squashing: the server's `LocalGrant.unconditional`), one shared word the server's
 * thread sets to 1 when its file is dropped (removed or renamed over through the server, or the
 * cache closing); the client reads it per use instead of an fstat. null: re-check with fstat.
 */
export interface OpenedMsg {
  t: 'opened'; id: number; serverId: string; grant: number; fd: number; mode: LocalFileMode; attrs: GrantAttrs; watch: SharedArrayBuffer | null;
}
export interface RefusedMsg { t: 'refused'; id: number; status: number }
export interface FailedMsg { t: 'failed'; id: number; code: string }
export interface ShutdownMsg { t: 'shutdown'; serverId: string }
/** a `bound` that came after the server gave up waiting (the RPC replied first): undo that bind */
export interface UnbindMsg { t: 'unbind'; serverId: string; uuid: string }
export type ToThread = OpenedMsg | RefusedMsg | FailedMsg | ShutdownMsg | UnbindMsg;
