/**
 * READDIRPLUS stats a batch of entries through one descriptor of the directory
 * (Backend.lstatChildrenSync). An entry removed after the listing was read is left out (and
 * only that one), the attributes are the entries' own, and the batch path is really the one
 * taken with the default backend.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ok, setup } from './nfs3-helpers.js';

const ZERO = Buffer.alloc(8);

const skip = process.platform !== 'linux' ? 'the descriptor-relative backend (and its lstatChildrenSync) needs Linux' : false;

t.test('READDIRPLUS batch stats: own attributes, vanished entries left out, every other one listed once', { skip }, async (t) => {
  const s = await setup(t);
  if (s.core.backend.lstatChildrenSync === undefined) throw new Error('the default backend on Linux has lstatChildrenSync');
  let batches = 0;
  const real = s.core.backend.lstatChildrenSync.bind(s.core.backend);
  (s.core.backend as { lstatChildrenSync: typeof real }).lstatChildrenSync = (dir, names) => {
    batches++;
    return real(dir, names);
  };
  mkdirSync(join(s.root, 'd'));
  s.own(join(s.root, 'd'));
  for (let i = 0; i < 300; i++) writeFileSync(join(s.root, 'd', `f${i}`), 'x'.repeat(i));
  const dir = await s.fh('d');
  const first = ok(await s.nfs.readdirplus({ dir, cookie: 0n, cookieverf: ZERO, dircount: 1024, maxcount: 8192 }));
  t.notOk(first.reply.eof, 'a partial first reply');
  t.ok(batches > 0, 'entries were stat\'ed in batches');
  const seen = new Map<string, bigint>();
  for (const e of first.reply.entries) if (e.name_attributes.attributes_follow) seen.set(e.name, e.name_attributes.attributes.size);
  // remove one entry that the first reply did not reach
  const victim = Array.from({ length: 300 }, (_, i) => `f${i}`).find((n) => !seen.has(n))!;
  rmSync(join(s.root, 'd', victim));
  let cookie = first.reply.entries[first.reply.entries.length - 1]!.cookie;
  let verf = first.cookieverf;
  for (;;) {
    const r = ok(await s.nfs.readdirplus({ dir, cookie, cookieverf: verf, dircount: 1024, maxcount: 8192 }));
    for (const e of r.reply.entries) {
      t.notOk(seen.has(e.name), `${e.name} listed once`);
      if (e.name_attributes.attributes_follow) seen.set(e.name, e.name_attributes.attributes.size);
    }
    if (r.reply.eof) break;
    cookie = r.reply.entries[r.reply.entries.length - 1]!.cookie;
    verf = r.cookieverf;
  }
  t.notOk(seen.has(victim), `${victim}, removed after the listing was read, is left out`);
  let right = 0;
  for (let i = 0; i < 300; i++) if (`f${i}` !== victim && seen.get(`f${i}`) === BigInt(i)) right++;
  t.equal(right, 299, 'every other entry is listed with its own size');
});
