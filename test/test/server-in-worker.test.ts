// A server embedded in a worker thread (as test runners run it): the descriptors it opens with
// openat2 are closed the same way, so Node has nothing to warn about ("File descriptor N closed
// but not opened in unmanaged mode" came once per file the server closed) and none stays open.
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import t from 'tap';

t.test('a server in a worker thread closes its descriptors without warnings', async (tt) => {
  const w = new Worker(new URL('../src/server-in-worker.js', import.meta.url), { stderr: true, stdout: true });
  let stderr = '';
  w.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const [msg] = (await once(w, 'message')) as [{ left: string[] }];
  const [code] = (await once(w, 'exit')) as [number];
  tt.equal(code, 0, 'the worker finished');
  tt.same(msg.left, [], 'no descriptor left open under the export');
  tt.notMatch(stderr, /closed but not opened/, 'Node printed no unmanaged-descriptor warning');
  tt.notMatch(stderr, /Error/, `no error on the worker's stderr: ${stderr}`);
});
