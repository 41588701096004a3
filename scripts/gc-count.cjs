// Preload (node --require ./scripts/gc-count.cjs) counting the process's GCs by kind; prints running totals to stderr each second and GCFINAL at exit.
const { PerformanceObserver, constants } = require('node:perf_hooks');
const c = { major: 0, minor: 0, incr: 0, ms: 0, maxms: 0 };
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) {
    const k = e.detail ? e.detail.kind : e.kind;
    if (k === constants.NODE_PERFORMANCE_GC_MAJOR) c.major++;
    else if (k === constants.NODE_PERFORMANCE_GC_MINOR) c.minor++;
    else c.incr++;
    c.ms += e.duration; if (e.duration > c.maxms) c.maxms = e.duration;
  }
}).observe({ entryTypes: ['gc'] });
setInterval(() => process.stderr.write(`GCSTAT ${JSON.stringify({ ...c, ms: Math.round(c.ms), maxms: Math.round(c.maxms) })}\n`), 1000).unref();
process.on('exit', () => process.stderr.write(`GCFINAL ${JSON.stringify({ ...c, ms: Math.round(c.ms), maxms: Math.round(c.maxms) })}\n`));
