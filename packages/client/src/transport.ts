// The transport contract lives in @nfsts/common, shared with LOCALIO's implementation.
export { type NfsTransport, type ReadResult, type WriteResult, UNSTABLE, DATA_SYNC, FILE_SYNC } from '@nfsts/common';
