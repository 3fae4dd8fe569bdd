/**
 * CPU time used by processes while a benchmark runs, from /proc (Linux): the API server's process, the
 * PostgreSQL server's processes, and this one (the load generator). On a shared, noisy machine the CPU a
 * request costs is steadier than how many requests a second the machine could serve at that moment.
 */
import { readdirSync, readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

/**
 * utime + stime of one process, in seconds, with its waited-for children's (cutime + cstime: for
 * PostgreSQL's postmaster, the backends that exited meanwhile); 0 when it is gone or /proc is not there.
 */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (
      (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND
    );
  } catch {
    return 0;
  }
}

/** The PostgreSQL server's processes on this machine (postmaster and backends). */
function postgresPids(): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).startsWith("postgres"))
        pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

export interface CpuSample {
  server: number;
  postgres: number;
  load: number;
}

/** CPU seconds so far of the server process `pid`, of PostgreSQL, and of this process. */
export function sampleCpu(pid: number | undefined): CpuSample {
  const own = process.cpuUsage();
  return {
    server: pid === undefined ? 0 : cpuSecondsOf(pid),
    postgres: postgresPids().reduce((sum, p) => sum + cpuSecondsOf(p), 0),
    load: (own.user + own.system) / 1e6,
  };
}

/** Microseconds of CPU per request between two samples. */
export function cpuPerRequest(before: CpuSample, after: CpuSample, requests: number): CpuSample {
  const per = (k: keyof CpuSample) => (requests > 0 ? ((after[k] - before[k]) * 1e6) / requests : Number.NaN);
  return { server: per("server"), postgres: per("postgres"), load: per("load") };
}
