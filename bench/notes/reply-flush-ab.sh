#!/bin/bash
# Alternates whole trees through the suite's cells, ours against nfs-ganesha in each run, and
# prints per cell the medians of ours, of ganesha and of the per-round ratio (reply-flush.md).
#   bench/notes/reply-flush-ab.sh ROUNDS TREE...      (as root; each TREE built)
#   env: WL (randread-4k,getattr) QD (1,8,16) JOBS (1,2) TARGETS (rpc-child,ganesha) SECS (2)
set -euo pipefail
ROUNDS=$1; shift
WL=${WL:-randread-4k,getattr}; QD=${QD:-1,8,16}; JOBS=${JOBS:-1,2}; TARGETS=${TARGETS:-rpc-child,ganesha}; SECS=${SECS:-2}
# ganesha needs rpcbind's /run and a loopback of its own: a private network and mount namespace
inner='mount -t tmpfs -o mode=755 tmpfs /run && mkdir -p /run/rpcbind && ip link set lo up && ip addr add 127.0.0.2/8 dev lo && exec "$@"'
runs=$(mktemp -d)
for r in $(seq 1 "$ROUNDS"); do
  for t in "$@"; do
    out=$(mktemp -d -p "$runs")
    unshare -n -m --propagation private -- sh -c "$inner" sh node "$t/bench/dist/src/suite.js" --out "$out" --name r \
      --targets "$TARGETS" --workloads "$WL" --qd "$QD" --jobs "$JOBS" --seconds "$SECS" --ramp 0.5 --size 64 \
      --dir-entries 2000 --no-fuse >/dev/null 2>"$out/err" || { tail -3 "$out/err"; exit 1; }
    echo "$t $out/r.json" >> "$runs/index"
  done
done
node - "$runs/index" <<'JS'
const fs = require('fs');
const cells = new Map();
for (const line of fs.readFileSync(process.argv[2], 'utf8').trim().split('\n')) {
  const [tree, file] = line.split(' ');
  const got = JSON.parse(fs.readFileSync(file, 'utf8')).cells;
  for (const c of got) {
    if (c.target !== 'rpc-child' || !c.opsPerSec) continue;
    const g = got.find((x) => x.target === 'ganesha' && x.workload === c.workload && x.qd === c.qd && x.jobs === c.jobs);
    const key = `${c.workload} QD ${c.qd} ${c.jobs}j`;
    if (!cells.has(key)) cells.set(key, new Map());
    const byTree = cells.get(key);
    if (!byTree.has(tree)) byTree.set(tree, []);
    byTree.get(tree).push([c.opsPerSec, g?.opsPerSec ?? NaN]);
  }
}
const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [key, byTree] of cells) {
  for (const [tree, rows] of byTree) {
    const ratios = rows.map(([o, g]) => o / g);
    console.log(`${key.padEnd(24)} ${tree.padEnd(20)} ours ${Math.round(med(rows.map((r) => r[0])))}  ganesha ${Math.round(med(rows.map((r) => r[1])))}  ratio ${med(ratios).toFixed(2)} [${ratios.map((x) => x.toFixed(2)).join(' ')}]`);
  }
}
JS
