// Wire check with Wireshark's RPC dissector: capture a client/server exchange on
// loopback (NULL calls to NFS v3 and MOUNT v3 and every reply error) and make sure
// tshark decodes every reply and flags nothing as malformed.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import { RpcClient, RpcServer, authSys, type Program } from '../src/index.js';
import { Gates, PROC, RawConn, TEST_PROG, authSysBody, testProgram, u32, voidc } from './helpers.js';

function skipReason(): string | false {
  const which = spawnSync('tshark', ['--version'], { stdio: 'ignore' });
  if (which.error !== undefined || which.status !== 0) return 'tshark is not installed (Debian package tshark)';
  const probe = spawnSync('dumpcap', ['-L', '-i', 'lo'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return `capturing on lo is not permitted here: ${(probe.stderr ?? String(probe.error)).trim().split('\n')[0]}`;
  return false;
}

const nullProgram = (prog: number, name: string, vers: number): Program => ({
  prog, name, versions: { [vers]: { procedures: { 0: { name: 'NULL', args: voidc, res: voidc, handler: () => {} } } } },
});

/** Lines tshark prints while capturing (-P -l), so the test can tell what it has seen. */
class Capture {
  private readonly child: ChildProcess;
  private out = '';
  private err = '';
  private readonly exited: Promise<number | null>;

  constructor(port: number, file: string) {
    this.child = spawn('tshark', ['-i', 'lo', '-f', `tcp port ${port}`, '-w', file, '-P', '-l'], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8').on('data', (s: string) => { this.out += s; });
    this.child.stderr!.setEncoding('utf8').on('data', (s: string) => { this.err += s; });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Waits until a connection from a fresh local port shows up in tshark's live output. */
  async sync(port: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      if (attempt === 30) throw new Error(`tshark shows no packets after 30 s: ${this.err}`);
      const s = net.connect({ host: '127.0.0.1', port });
      await new Promise<void>((r) => s.once('connect', () => r()));
      const local = s.localPort!;
      s.destroy();
      for (let i = 0; i < 50; i++) {
        if (this.out.includes(` ${local} `)) return;
        if (this.child.exitCode !== null) throw new Error(`tshark exited: ${this.err}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }

  async stop(): Promise<void> {
    this.child.kill('SIGINT');
    await this.exited;
  }
}

const reason = skipReason();

t.test('tshark decodes every reply and finds nothing malformed', { skip: reason }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'nfsts-rpc-tshark-'));
  if (process.env.KEEP_PCAP === undefined) t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  else t.comment(`capture kept in ${dir}`);
  const file = join(dir, 'rpc.pcapng');

  const server = new RpcServer();
  server.register(nullProgram(100003, 'nfs', 3));
  server.register(nullProgram(100005, 'mount', 3));
  server.register(testProgram(new Gates()));
  const { port } = await server.listen(0, '127.0.0.1');
  const client = new RpcClient({ host: '127.0.0.1', port, cred: authSys({ uid: 1000, gid: 1000, gids: [4, 27], machinename: 'tshark-test' }) });
  const cap = new Capture(port, file);
  t.teardown(async () => {
    await cap.stop();
    await client.close();
    await server.close();
  });
  await cap.sync(port);

  let replies = 0;
  const expectReject = async (p: Promise<unknown>, code: string) => {
    await t.rejects(p, { code });
    replies++;
  };
  await client.call(100003, 3, 0, voidc, undefined, voidc); replies++;
  await client.call(100005, 3, 0, voidc, undefined, voidc); replies++;
  await client.call(100003, 3, 0, voidc, undefined, voidc, { cred: { flavor: 0 } }); replies++;
  await expectReject(client.call(100227, 3, 0, voidc, undefined, voidc), 'ERR_RPC_PROG_UNAVAIL');
  await expectReject(client.call(100005, 4, 0, voidc, undefined, voidc), 'ERR_RPC_PROG_MISMATCH');
  await expectReject(client.call(TEST_PROG, 1, 99, voidc, undefined, voidc), 'ERR_RPC_PROC_UNAVAIL');
  await expectReject(client.call(TEST_PROG, 1, PROC.NULL, u32, 1, voidc), 'ERR_RPC_GARBAGE_ARGS');
  await expectReject(client.call(TEST_PROG, 1, PROC.THROW, voidc, undefined, voidc), 'ERR_RPC_SYSTEM_ERR');
  await expectReject(client.call(TEST_PROG, 1, PROC.TOOWEAK, voidc, undefined, voidc), 'ERR_RPC_AUTH');
  // RPC_MISMATCH and AUTH_BADCRED need calls our client will not produce.
  const raw = await RawConn.open(port);
  const mismatch = await raw.call({ xid: 0x1001, rpcvers: 3, prog: 100003, vers: 3, proc: 0 });
  t.match(mismatch, { stat: 'denied', reject: 0, low: 2, high: 2 });
  // Not counted: Wireshark takes a call with rpcvers 3 for non-RPC data, so it shows the
  // RPC_MISMATCH reply (which it cannot match to a call) as a continuation. Its layout is
  // checked with the generated rpc_msg codec in badinput.test.ts.
  const badcred = await raw.call({ xid: 0x1002, prog: 100003, vers: 3, proc: 0, credFlavor: 1, credBody: authSysBody({ gids: Array.from({ length: 17 }, (_, i) => i) }) });
  t.match(badcred, { stat: 'denied', reject: 1, authStat: 1 });
  replies++;
  await raw.destroy();

  await cap.sync(port);
  await cap.stop();

  // Exactly the check the issue names first, then a stricter one that also dissects the
  // test program's calls (unknown to Wireshark) and counts expert errors.
  const plain = spawnSync('tshark', ['-r', file, '-d', `tcp.port==${port},rpc`, '-Y', '_ws.malformed'], { encoding: 'utf8' });
  t.equal(plain.status, 0, 'tshark -r ran');
  t.equal(plain.stdout.trim(), '', 'tshark -Y _ws.malformed prints nothing');
  const read = (filter: string, fields: string[] = []) => {
    const args = ['-r', file, '-o', 'rpc.dissect_unknown_programs:TRUE', '-d', `tcp.port==${port},rpc`, '-Y', filter];
    if (fields.length > 0) args.push('-T', 'fields', ...fields.flatMap((f) => ['-e', f]));
    const r = spawnSync('tshark', args, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`tshark -r failed: ${r.stderr}`);
    return r.stdout.split('\n').filter((l) => l.trim() !== '');
  };
  t.same(read('_ws.malformed || _ws.expert.severity >= "error"'), [], 'no malformed or erroneous packets');
  const decoded = read('rpc.msgtyp == 1', ['rpc.xid', 'rpc.replystat', 'rpc.state_accept', 'rpc.state_reject', 'rpc.state_auth', 'rpc.programversion.min', 'rpc.programversion.max', 'rpc.version.min', 'rpc.version.max']);
  t.equal(decoded.length, replies, `tshark decoded ${replies} RPC replies`);
  const rows = decoded.map((l) => l.split('\t'));
  const has = (pred: (r: string[]) => boolean, what: string) => t.ok(rows.some(pred), what);
  has((r) => r[2] === '1', 'PROG_UNAVAIL');
  has((r) => r[2] === '2' && r[5] === '3' && r[6] === '3', 'PROG_MISMATCH with low 3 high 3');
  has((r) => r[2] === '3', 'PROC_UNAVAIL');
  has((r) => r[2] === '4', 'GARBAGE_ARGS');
  has((r) => r[2] === '5', 'SYSTEM_ERR');
  has((r) => r[1] === '1' && r[3] === '1' && r[4] === '1', 'AUTH_ERROR AUTH_BADCRED');
  has((r) => r[1] === '1' && r[3] === '1' && r[4] === '5', 'AUTH_ERROR AUTH_TOOWEAK');
  t.equal(rows.filter((r) => r[1] === '0' && r[2] === '0').length, 3, 'three successful NULL replies');
  const calls = read('rpc.msgtyp == 0 && rpc.program == 100003 && rpc.auth.flavor == 1', ['rpc.auth.uid', 'rpc.auth.machinename']);
  t.ok(calls.some((l) => l === '1000\ttshark-test'), 'AUTH_SYS credentials decode as uid 1000 from tshark-test');
});
