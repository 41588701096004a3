import t from 'tap';
import { parseMountOptionString, parseOptions, DEFAULT_ACTIMEO_MS, DEFAULT_SOFT_TIMEOUT_MS, DEFAULT_PASSTHROUGH } from '../src/options.js';

t.test('-o strings as mount(8) spells them', async (t) => {
  t.same(parseMountOptionString('ro,allow_other,default_permissions,uid=1000,gid=100,actimeo=5,soft,timeo=30,localio=off'), {
    ro: true, allowOther: true, defaultPermissions: true, uid: 1000, gid: 100, actimeoMs: 5000, soft: true, timeoutMs: 3000, localio: false,
  });
  t.same(parseMountOptionString('noac,hard,rw'), { actimeoMs: 0, soft: false, ro: false });
  t.throws(() => parseMountOptionString('bogus'), { code: 'ERR_FUSE_INVALID_OPTION', message: /unknown option "bogus"/ });
  t.throws(() => parseMountOptionString('uid=x'), { property: '-o uid', message: /./ });
  t.throws(() => parseMountOptionString('localio=maybe'), { property: '-o localio', message: /./ });
});

t.test('parseOptions: defaults and the bad property named', async (t) => {
  const o = parseOptions();
  t.equal(o.actimeoMs, DEFAULT_ACTIMEO_MS);
  t.equal(o.timeoutMs, DEFAULT_SOFT_TIMEOUT_MS);
  t.equal(o.soft, false);
  t.equal(o.identity, null);
  t.same(parseOptions({ uid: 5, gid: 6 }).identity, { uid: 5, gid: 6 });
  t.throws(() => parseOptions({ uid: 5 }), { property: 'gid', message: /./ });
  t.throws(() => parseOptions({ actimeoMs: -1 }), { property: 'actimeoMs', message: /./ });
  t.throws(() => parseOptions({ ro: 'yes' as unknown as boolean }), { property: 'ro', message: /./ });
});

t.test('passthrough: auto by default, on/off/auto accepted, anything else named', async (t) => {
  t.equal(parseOptions().passthrough, DEFAULT_PASSTHROUGH);
  t.equal(DEFAULT_PASSTHROUGH, 'auto');
  t.same(parseMountOptionString('passthrough=off'), { passthrough: 'off' });
  t.equal(parseOptions(parseMountOptionString('passthrough=on')).passthrough, 'on');
  t.throws(() => parseMountOptionString('passthrough=yes'), { property: '-o passthrough', message: /on, off or auto/ });
  t.throws(() => parseMountOptionString('passthrough'), { property: '-o passthrough', message: /./ });
  t.throws(() => parseOptions({ passthrough: true as unknown as 'on' }), { property: 'passthrough', message: /./ });
});
