/** Mount failures, each a stable ERR_FUSE_* code and a one-line message. */
export class FuseMountError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
