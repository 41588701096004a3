import t from 'tap';
import { isDeepStrictEqual, inspect } from 'node:util';
import * as xdr from '../src/index.js';
import { XdrReader, XdrWriter, XdrError, measure, type Codec } from '../src/index.js';
import { Arbitrary, Rng, loadModels } from './lib/arbitrary.js';

const codecs = xdr as unknown as Record<string, Codec<unknown> | undefined>;
const ITERATIONS = 40;

function codecOf(name: string): Codec<unknown> {
  const c = codecs[`xdr_${name}`];
  if (c === undefined) throw new Error(`xdr_${name} is not exported from @nfsts/xdr`);
  return c;
}

/** encode -> size matches -> decode -> deep-equal -> re-encode gives the same bytes. */
function roundTrip(codec: Codec<unknown>, value: unknown): string | null {
  const size = codec.size(value);
  const w = new XdrWriter(size);
  codec.encode(w, value);
  if (w.pos !== size) return `size() said ${size}, encode wrote ${w.pos}`;
  if (size % 4 !== 0) return `size ${size} is not a multiple of 4`;
  const bytes = w.bytes();
  const r = new XdrReader(bytes);
  const back = codec.decode(r);
  if (r.pos !== bytes.length) return `decode consumed ${r.pos} of ${bytes.length} bytes`;
  if (!isDeepStrictEqual(back, value)) return `decoded value differs:\n${inspect(back, { depth: 8 })}\nexpected\n${inspect(value, { depth: 8 })}`;
  const again = xdr.encode(codec, back);
  if (!again.equals(bytes)) return 're-encoding the decoded value gave different bytes';
  const chunks = Buffer.concat(xdr.encodeChunks(codec, value));
  if (!chunks.equals(bytes)) return 'chunk-mode encoding differs';
  return null;
}

const models = loadModels();
let seed = 1;
for (const model of models) {
  t.test(`round trip of every type in ${model.file}`, async (t) => {
    t.ok(model.types.length > 0, 'the spec defines types');
    for (const def of model.types) {
      const codec = codecOf(def.name);
      const arb = new Arbitrary(model, new Rng(seed++));
      let failure: string | null = null;
      for (let i = 0; i < ITERATIONS && failure === null; i++) {
        const v = arb.ofType(def.name);
        try {
          failure = roundTrip(codec, v);
        } catch (err) {
          failure = `threw ${(err as Error).stack}\nfor ${inspect(v, { depth: 8 })}`;
        }
      }
      t.equal(failure, null, `xdr_${def.name}`);
    }
  });
}

t.test('every procedure table row names exported codecs and covers the declared procedures', async (t) => {
  for (const model of models) {
    for (const p of model.programs) {
      t.equal(codecs[p.name] as unknown, p.value, `${p.name} = ${p.value}`);
      for (const v of p.versions) {
        const table = codecs[`${v.name}_PROCEDURES`] as unknown as xdr.ProcedureTable;
        t.ok(table, `${v.name}_PROCEDURES exported`);
        t.same(Object.keys(table).map(Number).sort((a, b) => a - b), v.procs.map((x) => x.value).sort((a, b) => a - b), `${v.name} procedures`);
        for (const pr of v.procs) {
          const row = table[pr.value]!;
          t.equal(row.proc, pr.value);
          t.ok(pr.name.endsWith(row.name), `${pr.name} row is named ${row.name}`);
          t.equal(typeof row.args.decode, 'function');
          t.equal(typeof row.res.decode, 'function');
        }
      }
    }
  }
  t.equal(xdr.NFS_V3_PROCEDURES[xdr.NFSPROC3_READ].args, xdr.xdr_READ3args);
  t.equal(xdr.NFS_V3_PROCEDURES[xdr.NFSPROC3_READDIRPLUS].res, xdr.xdr_READDIRPLUS3res);
  t.equal(xdr.LOCALIO_V1_PROCEDURES[xdr.LOCALIOPROC_UUID_IS_LOCAL].args, xdr.xdr_localio_uuid);
  t.equal(xdr.LOCALIO_V1_PROCEDURES[xdr.LOCALIOPROC_UUID_IS_LOCAL].res, xdr.xdr_void);
});

t.test('truncation at every offset gives ERR_XDR_SHORT, never a RangeError', async (t) => {
  const rng = new Rng(99);
  const samples: [string, string][] = [
    ['rpc_prot.x', 'rpc_msg'],
    ['rpc_prot.x', 'authsys_parms'],
    ['nfs3.x', 'READDIRPLUS3res'],
    ['nfs3.x', 'WRITE3args'],
    ['nfs3.x', 'SETATTR3args'],
    ['nfs3.x', 'CREATE3res'],
    ['mount.x', 'exports'],
    ['rpcbind.x', 'rpcb_stat_byvers'],
  ];
  for (const [file, name] of samples) {
    const model = models.find((m) => m.file === file)!;
    const arb = new Arbitrary(model, rng);
    const codec = codecOf(name);
    // Take the largest of a few values, so the truncation points cross many fields.
    let bytes: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 10; i++) {
      const b = xdr.encode(codec, arb.ofType(name));
      if (b.length > bytes.length) bytes = b;
    }
    let wrong = 0;
    let firstWrong = '';
    for (let k = 0; k < bytes.length; k++) {
      try {
        xdr.decode(codec, bytes.subarray(0, k));
        wrong++;
        firstWrong ||= `decoded ${k} of ${bytes.length} bytes`;
      } catch (err) {
        if (!(err instanceof XdrError) || err.code !== 'ERR_XDR_SHORT') {
          wrong++;
          firstWrong ||= `at ${k}: ${String(err)}`;
        }
      }
    }
    t.equal(wrong, 0, `xdr_${name}: ${bytes.length} prefixes ${firstWrong}`);
  }
});

t.test('random and bit-flipped input fails with XdrError only, never another exception', async (t) => {
  const rng = new Rng(7);
  const nfs = models.find((m) => m.file === 'nfs3.x')!;
  const arb = new Arbitrary(nfs, rng);
  let other = 0;
  let first = '';
  let decoded = 0;
  for (const row of Object.values(xdr.NFS_V3_PROCEDURES)) {
    for (const codec of [row.args, row.res] as Codec<unknown>[]) {
      if (codec === xdr.xdr_void) continue;
      const typeName = Object.keys(codecs).find((k) => codecs[k] === codec)!.slice(4);
      for (let i = 0; i < 60; i++) {
        let input: Buffer;
        if (i % 3 === 0) input = rng.bytes(rng.int(200));
        else {
          input = Buffer.from(xdr.encode(codec, arb.ofType(typeName)));
          for (let f = 0; f < 1 + rng.int(4); f++) {
            if (input.length > 0) {
              const at = rng.int(input.length);
              input[at] = input[at]! ^ (1 << rng.int(8));
            }
          }
        }
        try {
          xdr.decode(codec, input);
          decoded++;
        } catch (err) {
          if (!(err instanceof XdrError)) {
            other++;
            first ||= `${typeName}: ${(err as Error).stack}`;
          }
        }
      }
    }
  }
  t.equal(other, 0, first || 'only XdrError');
  t.ok(decoded > 0, 'some mutated inputs still decode (a flip inside opaque data)');
});

t.test('lists of 100k entries decode and encode without deep recursion', async (t) => {
  const entries = Array.from({ length: 100_000 }, (_, i) => ({ fileid: BigInt(i), name: `f${i}`, cookie: BigInt(i + 1) }));
  const res: xdr.READDIR3res = {
    status: xdr.nfsstat3.NFS3_OK,
    resok: { dir_attributes: { attributes_follow: false }, cookieverf: Buffer.alloc(8), reply: { entries, eof: true } },
  };
  const bytes = xdr.encode(xdr.xdr_READDIR3res, res);
  t.equal(bytes.length, xdr.xdr_READDIR3res.size(res));
  const back = xdr.decode(xdr.xdr_READDIR3res, bytes);
  t.equal(back.status, xdr.nfsstat3.NFS3_OK);
  if (back.status === xdr.nfsstat3.NFS3_OK) {
    t.equal(back.resok.reply.entries.length, 100_000);
    t.same(back.resok.reply.entries[99_999], entries[99_999]);
  }
});

t.test('measure() sees large opaques in generated size functions (chunk mode keeps them by reference)', async (t) => {
  const data = Buffer.alloc(1 << 20, 7);
  const res: xdr.READ3res = {
    status: xdr.nfsstat3.NFS3_OK,
    resok: { file_attributes: { attributes_follow: false }, count: data.length, eof: false, data },
  };
  const m = measure(xdr.xdr_READ3res.size, res);
  t.equal(m.total - m.inline, data.length, 'the payload is counted as external');
  const chunks = xdr.encodeChunks(xdr.xdr_READ3res, res);
  t.ok(chunks.some((c) => c === data), 'the payload buffer itself is one of the chunks');
  t.equal(chunks.reduce((n, c) => n + c.length, 0), m.total);
});

t.test('decoders validate enums, union discriminants and bounds', async (t) => {
  // ftype3 0 is not a member.
  const attr = Buffer.alloc(84);
  t.throws(() => xdr.decode(xdr.xdr_fattr3, attr), { code: 'ERR_XDR_BAD_VALUE' });
  // rpc_msg with msg_type 2.
  t.throws(() => xdr.decode(xdr.xdr_rpc_msg, Buffer.from('0000000100000002', 'hex')), { code: 'ERR_XDR_BAD_VALUE' });
  // nfsstat3 value 3 is not a member.
  t.throws(() => xdr.decode(xdr.xdr_GETATTR3res, Buffer.from('00000003', 'hex')), { code: 'ERR_XDR_BAD_VALUE' });
  // A union whose discriminant has no arm and no default: createhow3 is complete, so use rejected_reply.
  t.throws(() => xdr.decode(xdr.xdr_rejected_reply, Buffer.from('00000002', 'hex')), { code: 'ERR_XDR_BAD_VALUE' });
  // nfs_fh3 longer than NFS3_FHSIZE.
  t.throws(() => xdr.decode(xdr.xdr_nfs_fh3, Buffer.concat([Buffer.from('00000041', 'hex'), Buffer.alloc(68)])), { code: 'ERR_XDR_TOO_LONG' });
  // AUTH_SYS with 17 gids.
  const sys = Buffer.concat([Buffer.from('00000000' + '00000000' + '00000000' + '00000000' + '00000011', 'hex'), Buffer.alloc(17 * 4)]);
  t.throws(() => xdr.decode(xdr.xdr_authsys_parms, sys), { code: 'ERR_XDR_TOO_LONG' });
  // A forged array count is refused before allocating.
  t.throws(() => xdr.decode(xdr.xdr_mountres3, Buffer.from('00000000' + '00000000' + '0fffffff', 'hex')), { code: 'ERR_XDR_SHORT' });
  // An unknown auth flavor still decodes (the RPC layer answers it with AUTH_ERROR).
  const auth = xdr.decode(xdr.xdr_opaque_auth, Buffer.from('0000abcd00000000', 'hex'));
  t.equal(auth.flavor, 0xabcd);
  // The LOCALIO uuid is a fixed 16-byte opaque: no length word.
  const uuid = Buffer.alloc(16, 0x5a);
  t.same(xdr.encode(xdr.xdr_localio_uuid, uuid), uuid);
  t.throws(() => xdr.encode(xdr.xdr_localio_uuid, Buffer.alloc(15)), { code: 'ERR_XDR_RANGE' });
  // Encoding an unknown discriminant of a union without default is refused.
  t.throws(() => xdr.encode(xdr.xdr_reply_body, { stat: 7 } as unknown as xdr.reply_body), { code: 'ERR_XDR_BAD_VALUE' });
});
