/**
 * Loaded into section 7's broker with `--import` (NODE_OPTIONS): on SIGUSR2 it collects
 * garbage and writes `process.memoryUsage()` to BENCH_HEAP_FILE, so the soak reads the heap
 * the broker still holds, not what the collector has yet to free. The broker itself is
 * unchanged.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc');
const file = process.env.BENCH_HEAP_FILE;
if (file)
  process.on('SIGUSR2', () => {
    gc();
    writeFileSync(`${file}.tmp`, JSON.stringify(process.memoryUsage()));
    renameSync(`${file}.tmp`, file);
  });
