/**
 * The deprecated ServerCore forwarders earlier READMEs showed embedders (resolve, lookupChild,
 * handleFor, clientAllowedResolve, credFor) still answer exactly as the parts they forward to.
 */
import t from 'tap';
import fs from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ServerCore, squash, type Resolved } from '../src/core/index.js';

t.test('the deprecated forwarders answer as the parts do', async (t) => {
  const base = fs.mkdtempSync(join(os.tmpdir(), 'nfsts-core-deprecated-'));
  t.teardown(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.mkdirSync(join(base, 'root'));
  fs.writeFileSync(join(base, 'root', 'f'), 'data');
  const core = await ServerCore.open({
    exports: [{ path: '/export', root: join(base, 'root'), options: { squash: 'all', anonuid: 1000, anongid: 1001, clients: ['127.0.0.1'] } }],
    stateDir: join(base, 'state'),
  });
  t.teardown(() => core.close());
  const exp = core.exports[0]!;

  const root = (await core.resolve(exp.rootHandle)) as Resolved;
  const viaPart = (await core.handles.resolve(exp.rootHandle)) as Resolved;
  t.equal(typeof root, 'object', 'resolve() resolves the root handle');
  t.same([root.rel, root.stats.ino], [viaPart.rel, viaPart.stats.ino], 'resolve() = handles.resolve()');
  t.equal(await core.resolve(Buffer.alloc(3)), await core.handles.resolve(Buffer.alloc(3)), 'the same status for a malformed handle');

  const f = (await core.lookupChild(root, 'f')) as Resolved;
  const fPart = (await core.children.lookupChild(root, 'f')) as Resolved;
  t.same([f.rel, f.stats.ino], ['f', fPart.stats.ino], 'lookupChild() = children.lookupChild()');
  t.equal(await core.lookupChild(root, 'missing'), await core.children.lookupChild(root, 'missing'), 'the same status for a missing name');

  t.ok(core.handleFor(exp, f, f.stats).equals(core.handles.handleFor(exp, f, f.stats)), 'handleFor() = handles.handleFor()');

  t.equal(await core.clientAllowedResolve(exp, '127.0.0.1', 40000), true, 'an allowed client');
  t.equal(await core.clientAllowedResolve(exp, '10.0.0.1', 40000), await core.table.clientAllowedResolve(exp, '10.0.0.1', 40000), 'clientAllowedResolve() = table.clientAllowedResolve()');
  t.equal(await core.clientAllowedResolve(exp, '10.0.0.1', 40000), false, 'a client not on the list is refused');

  const cred = { flavor: 1, sys: { uid: 0, gid: 0, gids: [] } };
  t.same(core.credFor(exp, cred), squash(cred, exp.options), 'credFor() = squash(cred, exp.options)');
  t.same(core.credFor(exp, cred), { uid: 1000, gid: 1001, gids: [] }, 'all_squash maps root to the anonymous ids');
});
