import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { hostname } from "node:os";
import { join, resolve } from "node:path";
import { AppError } from "../errors.ts";

/**
 * An exclusive lock on a PGlite data directory. PGlite takes none of its own, and two processes on one
 * directory silently lose writes, so the second process must stop. The lock file is created with O_EXCL
 * and names its holder (pid, host, start time); a lock left by a process that no longer runs on this host
 * is taken over.
 */
export interface DataDirLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  since: string;
  command: string;
}

export function lockDataDir(dataDir: string): DataDirLock {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "traslado.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, "wx");
      const holder: Holder = {
        pid: process.pid,
        host: hostname(),
        since: new Date().toISOString(),
        command: process.argv.slice(1).join(" "),
      };
      writeSync(fd, JSON.stringify(holder));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          rmSync(file, { force: true });
        } catch {
          // the directory may already be gone (tests)
        }
      };
      process.once("exit", release);
      return { release };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const holder = readHolder(file);
      if (holder && holder.host === hostname() && !isAlive(holder.pid)) {
        rmSync(file, { force: true }); // stale: its process is gone
        continue;
      }
      const who = holder
        ? `process ${holder.pid} on ${holder.host} since ${holder.since} (${holder.command})`
        : "an unknown process";
      throw new AppError(
        "DATA_DIR_LOCKED",
        `the data directory ${dir} is in use by ${who}; stop it first, or set DATA_DIR to another directory`,
        { dataDir: dir, holder },
      );
    }
  }
  throw new AppError("DATA_DIR_LOCKED", `could not lock the data directory ${dir}`, { dataDir: dir });
}

function readHolder(file: string): Holder | null {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Holder;
  } catch {
    return null;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
