/**
 * Receiving a file descriptor over a Unix socket (SCM_RIGHTS), which Node cannot do for a
 * character device: its IPC aborts on one (stream_wrap). The FUSE shim needs it to take the
 * /dev/fuse descriptor the setuid `fusermount3` opened and mounted for an unprivileged user.
 * Linux (LP64) only; no portable fallback exists for this.
 */
import { check, libc } from './libc.js';

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_DONTWAIT = 0x40;
const MSG_CMSG_CLOEXEC = 0x40000000;

type SocketpairFn = (domain: number, type: number, protocol: number, sv: Int32Array) => number;
type RecvmsgFn = (fd: number, msg: unknown, flags: number) => number;

let fns: { socketpair: SocketpairFn; recvmsg: RecvmsgFn } | null = null;

function bind(): { socketpair: SocketpairFn; recvmsg: RecvmsgFn } {
  if (fns === null) {
    const { libc: lib } = libc();
    fns = {
      socketpair: lib.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)') as SocketpairFn,
      recvmsg: lib.func('long recvmsg(int fd, void *msg, int flags)') as RecvmsgFn,
    };
  }
  return fns;
}

/**
 * socketpair(AF_UNIX, SOCK_STREAM): [ours, theirs]. Ours is close-on-exec; theirs is not, so a
 * child given it keeps it.
 */
export function socketpairSync(): [number, number] {
  const sv = new Int32Array(2);
  check(bind().socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 'socketpair');
  return [sv[0]!, sv[1]!];
}

/**
 * Takes one descriptor sent with SCM_RIGHTS on `sock` (without waiting: EAGAIN when none is
 * there). The received descriptor is close-on-exec.
 */
export function recvFdSync(sock: number): number {
  const { koffi } = libc();
  const mem = koffi.alloc('uint8_t', 56 + 16 + 64 + 8);
  try {
    const base = koffi.address(mem);
    const msg = 0, iov = 56, ctl = 72, data = 136;
    koffi.encode(mem, 0, 'uint8_t', new Array(144).fill(0), 144);
    // iovec: one byte of ordinary data travels with the descriptor
    koffi.encode(mem, iov, 'uint64_t', base + BigInt(data));
    koffi.encode(mem, iov + 8, 'uint64_t', 1n);
    // msghdr: no name; the iovec; the control buffer
    koffi.encode(mem, msg + 16, 'uint64_t', base + BigInt(iov));
    koffi.encode(mem, msg + 24, 'uint64_t', 1n);
    koffi.encode(mem, msg + 32, 'uint64_t', base + BigInt(ctl));
    koffi.encode(mem, msg + 40, 'uint64_t', 64n);
    check(bind().recvmsg(sock, mem, MSG_DONTWAIT | MSG_CMSG_CLOEXEC), 'recvmsg');
    const clen = Number(koffi.decode(mem, msg + 40, 'uint64_t'));
    if (clen < 20) throw Object.assign(new Error('recvmsg: no descriptor came with the message'), { code: 'ERR_SYS_NO_FD' });
    const level = koffi.decode(mem, ctl + 8, 'int') as number;
    const type = koffi.decode(mem, ctl + 12, 'int') as number;
    if (level !== SOL_SOCKET || type !== SCM_RIGHTS) throw Object.assign(new Error(`recvmsg: control message ${level}/${type} is not SCM_RIGHTS`), { code: 'ERR_SYS_NO_FD' });
    return koffi.decode(mem, ctl + 16, 'int') as number;
  } finally {
    koffi.free(mem);
  }
}
