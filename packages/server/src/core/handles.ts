/**
 * File handle layout (44 bytes, within NFS3_FHSIZE = 64):
 *
 *   0      version (1)
 *   1      reserved (0)
 *   2..3   export id (u16)
 *   4..11  st_dev (u64)
 *   12..19 st_ino (u64)
 *   20..27 generation: birth time in ns (statx btime; 0 where the filesystem has none),
 *          so a reused inode number is not mistaken for the old object
 *   28..43 MAC: HMAC-SHA256 over bytes 0..27 with the export's secret, truncated to 16 bytes
 *
 * A handle whose length, version, export id or MAC is wrong is NFS3ERR_BADHANDLE; one that is
 * well formed and authentic but whose object cannot be found in its export is NFS3ERR_STALE.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const FH_VERSION = 1;
export const FH_BODY = 28;
export const FH_MAC = 16;
export const FH_SIZE = FH_BODY + FH_MAC;

export interface HandleFields {
  exportId: number;
  dev: bigint;
  ino: bigint;
  gen: bigint;
}

function mac(secret: Buffer, body: Buffer): Buffer {
  return createHmac('sha256', secret).update(body).digest().subarray(0, FH_MAC);
}

export function encodeHandle(f: HandleFields, secret: Buffer): Buffer {
  const b = Buffer.allocUnsafe(FH_SIZE);
  b[0] = FH_VERSION;
  b[1] = 0;
  b.writeUInt16BE(f.exportId, 2);
  b.writeBigUInt64BE(BigInt.asUintN(64, f.dev), 4);
  b.writeBigUInt64BE(BigInt.asUintN(64, f.ino), 12);
  b.writeBigUInt64BE(BigInt.asUintN(64, f.gen), 20);
  mac(secret, b.subarray(0, FH_BODY)).copy(b, FH_BODY);
  return b;
}

/** Structure only (no MAC check): the export id to pick the secret, or null when malformed. */
export function handleExportId(fh: Buffer): number | null {
  if (fh.length !== FH_SIZE || fh[0] !== FH_VERSION || fh[1] !== 0) return null;
  return fh.readUInt16BE(2);
}

/** Verifies the MAC and returns the fields, or null for a forged or damaged handle. */
export function decodeHandle(fh: Buffer, secret: Buffer): HandleFields | null {
  const exportId = handleExportId(fh);
  if (exportId === null) return null;
  const want = mac(secret, fh.subarray(0, FH_BODY));
  if (!timingSafeEqual(want, fh.subarray(FH_BODY, FH_SIZE))) return null;
  return { exportId, dev: fh.readBigUInt64BE(4), ino: fh.readBigUInt64BE(12), gen: fh.readBigUInt64BE(20) };
}

/** Index key of an object: dev and ino. */
export function inodeKey(dev: bigint, ino: bigint): string {
  return `${dev}:${ino}`;
}
