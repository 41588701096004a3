/** Keys of methods the client's own parts share but that are no public API. */
export const kPushWrite = Symbol('nfsts.pushWrite');
export const kStartLocalio = Symbol('nfsts.startLocalio');
