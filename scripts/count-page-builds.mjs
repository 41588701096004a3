// Preload (--import) for a server child of bench-readdirplus-rpc.mjs: counts READDIRPLUS page
// builds and shares (DirListings.shared) of the tree in NFSTS_TREE; SIGUSR2 prints and resets them on stderr.
const tree = process.env.NFSTS_TREE;
const { DirListings } = await import(`${tree}/packages/server/dist/src/nfs3/dircache.js`);
let built = 0, shared = 0, calls = 0;
const orig = DirListings.prototype.shared;
if (orig) {
  DirListings.prototype.shared = function (key, build) { calls++; const b = this.pagesBuilt; const r = orig.call(this, key, build); if (this.pagesBuilt > b) built++; else shared++; return r; };
}
process.on('SIGUSR2', () => { process.stderr.write(`COUNT ${JSON.stringify({ calls, built, shared })}\n`); calls = built = shared = 0; });
