/** The READ data pool is the RPC layer's BufferPool (one implementation for both). */
export { BufferPool } from '@nfsts/rpc';
