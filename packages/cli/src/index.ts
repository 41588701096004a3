export { runCli, buildServeOptions, printBanner, USAGE, type CliIo } from './cli.js';
