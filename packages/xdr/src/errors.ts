/**
 * Typed XDR errors. Codes are stable API; the brand lets `instanceof` work across
 * two installed copies of this package (the undici pattern).
 */
const kXdrError = Symbol.for('nfsts.error.xdr');

export type XdrErrorCode =
  | 'ERR_XDR_SHORT' // fewer bytes remain than the item needs
  | 'ERR_XDR_TOO_LONG' // a declared length exceeds the type's maximum
  | 'ERR_XDR_BAD_VALUE' // an enum, bool or union discriminant with no defined meaning
  | 'ERR_XDR_TRAILING' // bytes left over after a complete item
  | 'ERR_XDR_RANGE'; // a value given to the encoder does not fit its type

export class XdrError extends Error {
  readonly code: XdrErrorCode;
  readonly [kXdrError] = true;

  constructor(code: XdrErrorCode, message: string) {
    super(message);
    this.name = 'XdrError';
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[kXdrError] === true;
  }
}

export function isXdrError(value: unknown): value is XdrError {
  return value instanceof XdrError;
}
