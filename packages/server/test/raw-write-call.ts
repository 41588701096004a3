/** Raw NFSv3 WRITE call records for tests that cut a record into socket chunks themselves. */
import { credentialSize, encodeCredential, type Credential } from '@nfsts/rpc';
import { NFS_PROGRAM, NFS_V3, NFSPROC3_WRITE, XdrWriter, measure, xdr_WRITE3args, type WRITE3args } from '@nfsts/xdr';
import { me } from './nfs3-helpers.js';

/** One WRITE call record, record mark included, as one contiguous buffer, and where its data starts in it. */
export function writeCall(xid: number, args: WRITE3args, cred: Credential = me): { rec: Buffer; dataAt: number } {
  const { total } = measure(xdr_WRITE3args.size, args);
  const head = 4 + 24 + credentialSize(cred) + 8;
  const w = new XdrWriter(head + total);
  w.u32(0x80000000 + head - 4 + total);
  w.u32(xid);
  w.u32(0); // CALL
  w.u32(2);
  w.u32(NFS_PROGRAM);
  w.u32(NFS_V3);
  w.u32(NFSPROC3_WRITE);
  encodeCredential(w, cred);
  w.u32(0); // verifier AUTH_NONE
  w.u32(0);
  xdr_WRITE3args.encode(w, args);
  const fhLen = args.file.data.length;
  // file handle (length + padded bytes), offset, count, stable, data length
  return { rec: w.buf, dataAt: head + 4 + fhLen + ((4 - (fhLen & 3)) & 3) + 8 + 4 + 4 + 4 };
}
