// tshark on loopback, synchronised with the traffic: tshark says "Capturing on" before it
// really captures, so start() and stop() each make a probe connection to the server and wait
// until tshark's live output shows it; nothing before or after the traffic is lost.
import { spawn } from 'node:child_process';
import net from 'node:net';

export async function startCapture(file, ports) {
  const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
  const child = spawn('tshark', ['-B', '256', '-i', 'lo', '-f', filter, '-w', file, '-P', '-l'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (s) => { seen += s; });
  child.stderr.setEncoding('utf8').on('data', (s) => { err += s; });
  const exited = new Promise((r) => child.once('exit', r));
  const probe = async () => {
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null) throw new Error(`tshark exited: ${err}`);
      const s = net.connect({ host: '127.0.0.1', port: ports[0] });
      const local = await new Promise((resolve, reject) => { s.once('connect', () => resolve(s.localPort)); s.once('error', reject); });
      s.destroy();
      for (let i = 0; i < 10; i++) {
        if (seen.includes(` ${local} `)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    throw new Error(`tshark shows no packets: ${err}`);
  };
  await probe();
  return {
    file,
    async stop() {
      await probe();
      child.kill('SIGINT');
      await exited;
      const m = /(\d+) packets? dropped/.exec(err);
      return m === null ? 0 : Number(m[1]);
    },
  };
}
