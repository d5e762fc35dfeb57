/**
 * Preloaded into a CLI child (`NODE_OPTIONS=--expose-gc --import=<this file's URL>`): samples the
 * memory the process still holds after a full collection (JavaScript heap plus memory outside it:
 * Buffers), every 100 ms and at exit, and writes the peak, in bytes, to the file SG_PEAK_MEMORY_FILE
 * names. After a collection only live memory counts: garbage V8 has not got round to freeing
 * (it lets up to 64 MB of dead Buffers wait) is not a leak.
 */
import { writeFileSync } from 'node:fs';

const file = process.env.SG_PEAK_MEMORY_FILE;
if (file && typeof globalThis.gc === 'function') {
  let peak = 0;
  const sample = () => {
    globalThis.gc();
    const m = process.memoryUsage();
    peak = Math.max(peak, m.heapUsed + m.external);
  };
  setInterval(sample, 100).unref();
  process.on('exit', () => {
    sample();
    writeFileSync(file, String(peak));
  });
}
