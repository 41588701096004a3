/**
 * The FUSE section alone: `node bench/dist/src/fuse/main.js [--quick]` prints its rows, targets
 * and Markdown (the full suite runs it too, see bench/README.md).
 */
import { renderFuseSection, runFuseSection } from './section.js';

const s = await runFuseSection({ quick: process.argv.includes('--quick') }, console.log);
console.log(`\n${renderFuseSection(s).join('\n')}`);
