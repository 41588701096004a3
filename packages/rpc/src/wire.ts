/**
 * RFC 5531 numbers the hot paths use, taken once from the enums generated from
 * rpc_prot.x in @nfsts/xdr, so the per-call code compares against plain constants.
 */
import { accept_stat, auth_flavor, auth_stat, msg_type, reject_stat, reply_stat, AUTHSYS_GIDS_MAX, AUTHSYS_MACHINENAME_MAX } from '@nfsts/xdr';

export const RPC_VERSION = 2;

export const CALL: number = msg_type.CALL;
export const REPLY: number = msg_type.REPLY;

export const MSG_ACCEPTED: number = reply_stat.MSG_ACCEPTED;
export const MSG_DENIED: number = reply_stat.MSG_DENIED;

export const SUCCESS: number = accept_stat.SUCCESS;
export const PROG_UNAVAIL: number = accept_stat.PROG_UNAVAIL;
export const PROG_MISMATCH: number = accept_stat.PROG_MISMATCH;
export const PROC_UNAVAIL: number = accept_stat.PROC_UNAVAIL;
export const GARBAGE_ARGS: number = accept_stat.GARBAGE_ARGS;
export const SYSTEM_ERR: number = accept_stat.SYSTEM_ERR;

export const RPC_MISMATCH: number = reject_stat.RPC_MISMATCH;
export const AUTH_ERROR: number = reject_stat.AUTH_ERROR;

export const AUTH_BADCRED: number = auth_stat.AUTH_BADCRED;
export const AUTH_BADVERF: number = auth_stat.AUTH_BADVERF;
export const AUTH_TOOWEAK: number = auth_stat.AUTH_TOOWEAK;

export const AUTH_NONE = auth_flavor.AUTH_NONE as 0;
export const AUTH_SYS = auth_flavor.AUTH_SYS as 1;

/** opaque_auth body maximum (RFC 5531 §8.2). */
export const MAX_AUTH_BYTES = 400;
/** authsys_parms limits (RFC 5531 appendix A). */
export const MAX_MACHINENAME: number = AUTHSYS_MACHINENAME_MAX;
export const MAX_GIDS: number = AUTHSYS_GIDS_MAX;

/** Bit 31 of a record-marking header: this fragment ends the record. */
export const LAST_FRAGMENT = 0x80000000;
/** Largest fragment a header can describe. */
export const MAX_FRAGMENT = 0x7fffffff;
