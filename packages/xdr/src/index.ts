export { XdrError, isXdrError, type XdrErrorCode } from './errors.js';
export { XdrReader } from './reader.js';
export { XdrWriter, EXTERNAL_OPAQUE_MIN, opaqueSize, stringSize, measure, type Measure } from './writer.js';
export { type Codec, encode, encodeChunks, decode, xdr_void } from './codec.js';
