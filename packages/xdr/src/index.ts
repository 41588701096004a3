export { XdrError, isXdrError, type XdrErrorCode } from './errors.js';
export { XdrReader } from './reader.js';
export { XdrWriter, EXTERNAL_OPAQUE_MIN, opaqueSize, stringSize, measure, type Measure } from './writer.js';
export {
  type Codec,
  type ProcedureInfo,
  type ProcedureTable,
  encode,
  encodeChunks,
  decode,
  xdr_void,
  xdr_int,
  xdr_uint,
  xdr_hyper,
  xdr_uhyper,
  xdr_bool,
  xdr_string,
} from './codec.js';
// Types and codecs generated from spec/*.x (rpc_prot, portmap, rpcbind, mount, nfs3, localio).
export * from './generated/index.js';
