// Generated from packages/xdr/spec/localio.x by packages/xdr/src/gen. Do not edit:
// change the .x file and run `pnpm --filter @nfsts/xdr gen` (node packages/xdr/dist/src/gen/cli.js).

import { type Codec, xdr_void } from '../codec.js';
import type { XdrReader } from '../reader.js';
import type { XdrWriter } from '../writer.js';

export const LOCALIO_UUID_SIZE = 16;

export type localio_uuid = Buffer;

function sz_localio_uuid(_v: localio_uuid): number {
  return 16;
}

function en_localio_uuid(w: XdrWriter, v: localio_uuid): void {
  w.opaqueFixed(v, 16);
}

function de_localio_uuid(r: XdrReader): localio_uuid {
  return r.opaqueFixed(16);
}

export const xdr_localio_uuid: Codec<localio_uuid> = { size: sz_localio_uuid, encode: en_localio_uuid, decode: de_localio_uuid };

export const NFS_LOCALIO_PROGRAM = 400122;

export const LOCALIO_V1 = 1;

export const LOCALIOPROC_NULL = 0;

export const LOCALIOPROC_UUID_IS_LOCAL = 1;

/** Program NFS_LOCALIO_PROGRAM (400122) version LOCALIO_V1 (1): procedure number -> name and codecs. */
export const LOCALIO_V1_PROCEDURES = {
  [LOCALIOPROC_NULL]: { proc: LOCALIOPROC_NULL, name: 'NULL', args: xdr_void, res: xdr_void },
  [LOCALIOPROC_UUID_IS_LOCAL]: { proc: LOCALIOPROC_UUID_IS_LOCAL, name: 'UUID_IS_LOCAL', args: xdr_localio_uuid, res: xdr_void },
} as const;
