/**
 * RFC 5531 numbers the hot paths use. The same values exist as enums generated from
 * rpc_prot.x in @nfsts/xdr (msg_type, reply_stat, accept_stat, reject_stat, auth_stat,
 * auth_flavor); the tests check that both agree. Plain constants keep the per-call code
 * free of enum object lookups.
 */
export const RPC_VERSION = 2;

export const CALL = 0;
export const REPLY = 1;

export const MSG_ACCEPTED = 0;
export const MSG_DENIED = 1;

export const SUCCESS = 0;
export const PROG_UNAVAIL = 1;
export const PROG_MISMATCH = 2;
export const PROC_UNAVAIL = 3;
export const GARBAGE_ARGS = 4;
export const SYSTEM_ERR = 5;

export const RPC_MISMATCH = 0;
export const AUTH_ERROR = 1;

export const AUTH_OK = 0;
export const AUTH_BADCRED = 1;
export const AUTH_REJECTEDCRED = 2;
export const AUTH_BADVERF = 3;
export const AUTH_REJECTEDVERF = 4;
export const AUTH_TOOWEAK = 5;

export const AUTH_NONE = 0;
export const AUTH_SYS = 1;

/** opaque_auth body maximum (RFC 5531 §8.2). */
export const MAX_AUTH_BYTES = 400;
/** authsys_parms limits (RFC 5531 appendix A). */
export const MAX_MACHINENAME = 255;
export const MAX_GIDS = 16;

/** Bit 31 of a record-marking header: this fragment ends the record. */
export const LAST_FRAGMENT = 0x80000000;
/** Largest fragment a header can describe. */
export const MAX_FRAGMENT = 0x7fffffff;
