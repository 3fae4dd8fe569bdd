import { execFile, execFileSync } from "node:child_process";
import { join } from "node:path";

const node = join(import.meta.dirname, "../../node_modules/.bin/node");
const bin = join(import.meta.dirname, "../../bin/traslado.js");

/** Builds `dist/` if it is stale (`traslado --version`), so that no measured run pays for it. */
export function buildTraslado(env: NodeJS.ProcessEnv) {
  execFileSync(node, [bin, "--version"], { env });
}

export interface Timed {
  /** Wall time of the process, seconds. */
  s: number;
  /** Its peak resident memory, MiB. */
  mib: number;
  /** The first line it printed. */
  out: string;
}

/** Runs `traslado ARGS` in a fresh process under `/usr/bin/time -f "%e %M"`; rejects if it fails. */
export function timedTraslado(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  return new Promise((resolve, reject) => {
    execFile(
      "/usr/bin/time",
      ["-f", "%e %M", node, bin, ...args],
      { env, encoding: "utf8", maxBuffer: 64 * 2 ** 20 },
      (err, stdout, stderr) => {
        const out = stdout.trim().split("\n")[0] ?? "";
        if (err) return reject(new Error(`traslado ${args.join(" ")} failed: ${out} ${stderr}`));
        const [s, kb] = stderr.trim().split("\n").at(-1)!.split(" ").map(Number);
        resolve({ s: s!, mib: kb! / 1024, out });
      },
    );
  });
}
