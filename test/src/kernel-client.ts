/**
 * The Linux kernel's NFSv3 client against our server: a throw-away qemu guest (the host's
 * Debian kernel and busybox-static, built by test/kernel-client/build-guest.sh) mounts
 * `nfsts serve`, run here as a child process on a free loopback port, through qemu's user
 * networking (the guest reaches the host's 127.0.0.1 as 10.0.2.2). The guest runs shell
 * checks (test/kernel-client/checks/) and reports each on the console; this side reads them,
 * and acts on the guest's requests (KC-HOST lines: kill the server and start it again).
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, closeSync, writeSync } from 'node:fs';
import { arch, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCliServer, type CliServer } from './cli-server.js';
import { which } from './tools.js';

const HERE = fileURLToPath(new URL('../../kernel-client/', import.meta.url));

/** checks/<set>.sh; 'golden' is the traffic scripts/capture-golden.mjs records, 'metadata' the timings of scripts/kclient-metadata.mjs */
export type CheckSet = 'smoke' | 'full' | 'golden' | 'metadata';

export interface KernelCheck {
  name: string;
  ok: boolean;
  detail?: string | undefined;
  /** from the previous check's report (or the start) to this one's, as the host saw it */
  ms: number;
}

/** utime + stime of a process in ms (/proc/PID/stat), or undefined when it is gone. */
export function processCpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}

export interface KernelRun {
  checks: KernelCheck[];
  /** the guest finished its checks (no watchdog, no host timeout, no crash) */
  ended: boolean;
  accel: 'kvm' | 'tcg';
  wallMs: number;
  /** the guest console, for a failure's message */
  console: string;
  /** server restarts done at the guest's request */
  restarts: number;
  /** CPU time (user + system) our server process used during the run, when this harness started it */
  serverCpuMs?: number;
}

export interface KernelRunOptions {
  sets: CheckSet[];
  /** fills the export directory before the guest boots (the host is faster at it than TCG) */
  prepare?: (exportDir: string) => void;
  /** runs on the export directory after the guest is done, while it still exists */
  inspect?: (exportDir: string) => void;
  /** the host's hard limit for the whole run */
  timeoutMs?: number;
  /** a server already listening on the host's loopback, instead of an `nfsts serve` of the run's own */
  target?: { nfsPort: number; mountPort: number; exportPath: string };
}

/** Why the kernel-client test cannot run here (a missing tool, named), or false. */
export function kernelClientSkip(): string | false {
  if (process.platform !== 'linux' || arch() !== 'x64') return `the guest is an x86-64 Debian kernel; this is ${process.platform}/${arch()}`;
  if (process.getuid?.() !== 0) return 'needs root (device nodes in the guest image, chown through no_root_squash)';
  const missing: string[] = [];
  if (which('qemu-system-x86_64') === null) missing.push('qemu-system-x86_64 (Debian qemu-system-x86)');
  if (which('cpio') === null) missing.push('cpio');
  if (which('modinfo') === null) missing.push('modinfo (Debian kmod)');
  if (kernelVersion() === undefined) missing.push('a kernel image with its modules, /boot/vmlinuz-* (Debian linux-image-amd64)');
  const bb = spawnSync('file', ['-L', '/bin/busybox'], { encoding: 'utf8' });
  if (!/statically/.test(bb.stdout ?? '')) missing.push('a static /bin/busybox (Debian busybox-static)');
  return missing.length > 0 ? `not installed: ${missing.join(', ')}` : false;
}

function kernelVersion(): string | undefined {
  let mods: string[];
  try { mods = readdirSync('/lib/modules'); } catch { return undefined; }
  return mods.filter((v) => existsSync(`/boot/vmlinuz-${v}`)).sort().pop();
}

/** KVM only with hardware virtualisation: a /dev/kvm without vmx/svm (PVM) cannot boot a stock kernel. */
function accel(): 'kvm' | 'tcg' {
  if (process.env.NFSTS_KCLIENT_ACCEL === 'tcg' || process.env.NFSTS_KCLIENT_ACCEL === 'kvm') return process.env.NFSTS_KCLIENT_ACCEL;
  if (!existsSync('/dev/kvm')) return 'tcg';
  try { closeSync(openSync('/dev/kvm', 'r+')); } catch { return 'tcg'; }
  return /\b(vmx|svm)\b/.test(readFileSync('/proc/cpuinfo', 'utf8')) ? 'kvm' : 'tcg';
}

/** The guest image for this kernel, built once into the temp dir. */
function guestImage(): string {
  const kver = kernelVersion()!;
  const dir = join(tmpdir(), `nfsts-kclient-guest-${kver}`);
  if (existsSync(join(dir, 'base.cpio.gz')) && existsSync(join(dir, 'vmlinuz'))) return dir;
  const building = mkdtempSync(join(tmpdir(), 'nfsts-kclient-build-'));
  const r = spawnSync('sh', [join(HERE, 'build-guest.sh'), building], { encoding: 'utf8', env: { ...process.env, NFSTS_KCLIENT_KVER: kver } });
  if (r.status !== 0) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`build-guest.sh failed (${r.status}): ${r.stderr}`);
  }
  try { renameSync(building, dir); } catch { rmSync(building, { recursive: true, force: true }); } // another run built it first
  return dir;
}

/** The per-run archive (init, helpers, checks, parameters) in front of the base image. */
function initrd(work: string, image: string, params: Record<string, string | number>, sets: CheckSet[]): string {
  const ov = join(work, 'overlay');
  mkdirSync(join(ov, 'kc'), { recursive: true });
  cpSync(join(HERE, 'guest', 'init'), join(ov, 'init'));
  cpSync(join(HERE, 'guest', 'lib.sh'), join(ov, 'kc', 'lib.sh'));
  writeFileSync(join(ov, 'kc', 'checks.sh'), sets.map((s) => readFileSync(join(HERE, 'checks', `${s}.sh`), 'utf8')).join('\n'));
  writeFileSync(join(ov, 'kc', 'params'), Object.entries(params).map(([k, v]) => `${k}='${v}'\nexport ${k}\n`).join(''));
  const list = ['init', 'kc', 'kc/lib.sh', 'kc/checks.sh', 'kc/params'].join('\n') + '\n';
  const cpio = spawnSync('cpio', ['-o', '-H', 'newc', '-R', '0:0', '--quiet'], { cwd: ov, input: list, maxBuffer: 1 << 26 });
  if (cpio.status !== 0) throw new Error(`cpio: ${cpio.stderr.toString()}`);
  const out = join(work, 'initrd');
  const fd = openSync(out, 'w');
  try {
    writeSync(fd, cpio.stdout);
    writeSync(fd, readFileSync(join(image, 'base.cpio.gz')));
  } finally {
    closeSync(fd);
  }
  return out;
}

/** `nfsts serve` arguments for a server the guest mounts (root in the guest is root on the export). */
export function kernelClientServerArgs(exportDir: string, stateDir: string, port: number): string[] {
  return [exportDir, '--port', String(port), '--options', 'rw,no_root_squash', '--no-portmap', '--state-dir', stateDir, '--log-level', 'warn'];
}

export async function runKernelClient(o: KernelRunOptions): Promise<KernelRun> {
  const timeoutMs = o.timeoutMs ?? 15 * 60_000;
  const image = guestImage();
  const work = mkdtempSync(join(tmpdir(), 'nfsts-kclient-'));
  const exportDir = join(work, 'export');
  const stateDir = join(work, 'state');
  mkdirSync(exportDir);
  o.prepare?.(exportDir);
  const serverArgs = (port: number): string[] => kernelClientServerArgs(exportDir, stateDir, port);
  let server: CliServer | undefined = o.target === undefined ? await startCliServer(serverArgs(0)) : undefined;
  const port = server?.port ?? o.target!.nfsPort;
  const mountPort = server?.port ?? o.target!.mountPort;
  const how = accel();
  const cpu0 = server === undefined ? undefined : processCpuMs(server.child.pid);
  const t0 = performance.now();
  let restarts = 0;
  try {
    const rd = initrd(work, image, { KC_PORT: port, KC_MOUNT_PORT: mountPort, KC_EXPORT: o.target?.exportPath ?? '/export', KC_MNT: '/mnt', KC_GUEST_TIMEOUT: Math.max(30, Math.floor(timeoutMs / 1000) - 20) }, o.sets);
    const args = [
      '-machine', `pc,accel=${how}`, '-cpu', how === 'kvm' ? 'host' : 'max', '-smp', '1', '-m', '768',
      ...(existsSync('/usr/share/qemu/qboot.rom') ? ['-bios', '/usr/share/qemu/qboot.rom'] : []),
      '-nographic', '-nodefaults', '-serial', 'stdio', '-no-reboot',
      '-kernel', join(image, 'vmlinuz'), '-initrd', rd,
      '-append', 'console=ttyS0,115200 rdinit=/init panic=-1 quiet loglevel=3',
      '-netdev', 'user,id=n0,ipv6=off', '-device', 'virtio-net-pci,netdev=n0,romfile=',
    ];
    const qemu = spawn('qemu-system-x86_64', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const checks: KernelCheck[] = [];
    let text = '';
    let pending = '';
    let ended = false;
    let hostWork = Promise.resolve();
    let last = performance.now();
    const took = (): number => { const now = performance.now(); const ms = now - last; last = now; return ms; };
    const onLine = (raw: string): void => {
      const line = raw.replace(/\r/g, '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
      const at = line.indexOf('KC-');
      if (at < 0) return;
      const msg = line.slice(at);
      let m: RegExpExecArray | null;
      if ((m = /^KC-PASS (.*)$/.exec(msg)) !== null) checks.push({ name: m[1]!, ok: true, ms: took() });
      else if ((m = /^KC-FAIL (.*?)(?: :: (.*))?$/.exec(msg)) !== null) checks.push({ name: m[1]!, ok: false, detail: m[2], ms: took() });
      else if (msg.startsWith('KC-END')) ended = true;
      else if (msg === 'KC-HOST kill-restart' && server !== undefined) {
        // SIGKILL: no close, no flush; the same port and state dir afterwards (handles stay valid)
        hostWork = hostWork.then(async () => {
          server!.child.kill('SIGKILL');
          await server!.stop();
          server = await startCliServer(serverArgs(port));
          restarts++;
        });
      }
    };
    qemu.stdout.setEncoding('utf8').on('data', (s: string) => {
      text += s;
      pending += s;
      let nl;
      while ((nl = pending.indexOf('\n')) >= 0) { onLine(pending.slice(0, nl)); pending = pending.slice(nl + 1); }
    });
    qemu.stderr.setEncoding('utf8').on('data', (s: string) => { text += s; });
    const timer = setTimeout(() => qemu.kill('SIGKILL'), timeoutMs);
    await new Promise<void>((resolve) => qemu.on('close', () => resolve()));
    clearTimeout(timer);
    if (pending !== '') onLine(pending);
    await hostWork;
    o.inspect?.(exportDir);
    const cpu = server === undefined ? undefined : processCpuMs(server.child.pid);
    return { checks, ended, accel: how, wallMs: performance.now() - t0, console: text, restarts, ...(cpu !== undefined && cpu0 !== undefined && restarts === 0 ? { serverCpuMs: cpu - cpu0 } : {}) };
  } finally {
    await server?.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
