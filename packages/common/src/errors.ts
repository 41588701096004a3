/**
 * Typed LOCALIO errors. Codes are stable API; the `Symbol.for` brand makes `instanceof` work
 * across two installed copies of the package (the same pattern as `@nfsts/xdr`).
 */
const kLocalioError = Symbol.for('nfsts.error.localio');

export type LocalioErrorCode =
  | 'ERR_LOCALIO_REGISTRY_VERSION' // another copy installed a registry of an incompatible shape
  | 'ERR_LOCALIO_BAD_UUID' // a uuid that is not 16 bytes
  | 'ERR_LOCALIO_DUPLICATE' // a uuid or server id already in the registry
  | 'ERR_LOCALIO_SERVER_GONE' // the server is closing or closed (Linux: ENXIO from nfsd_open_local_fh)
  | 'ERR_LOCALIO_NOT_BOUND' // the client entry is not bound to this server
  | 'ERR_LOCALIO_OPEN' // the server refused the local open (carries an NFS status)
  | 'ERR_LOCALIO_REFCOUNT' // put() without a matching get(), or get() on a closed file
  | 'ERR_LOCALIO_BAD_OPTION'; // an option failed validation (the message names it)

export class LocalioError extends Error {
  readonly code: LocalioErrorCode;
  /** for ERR_LOCALIO_OPEN: the nfsstat3 the same operation over RPC would have answered */
  readonly nfsStatus: number | undefined;
  readonly [kLocalioError] = true;

  constructor(code: LocalioErrorCode, message: string, nfsStatus?: number) {
    super(message);
    this.name = 'LocalioError';
    this.code = code;
    this.nfsStatus = nfsStatus;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kLocalioError] === true;
  }
}

export function isLocalioError(value: unknown): value is LocalioError {
  return value instanceof LocalioError;
}
