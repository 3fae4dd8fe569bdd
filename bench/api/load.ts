import autocannon from "autocannon";
import type { Child } from "./child.ts";
import { type CpuSample, cpuPerRequest, sampleCpu } from "./cpu.ts";

/** What one autocannon run measured. Only 2xx responses count as done work. */
export interface Measure {
  /** 2xx responses per second of the run. */
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  /** Responses that were not 2xx, by status code. */
  non2xx: Record<string, number>;
  /** Connection errors and timeouts. */
  socketErrors: number;
  /** The body of the first non-2xx response, to say why requests failed. */
  firstFailure?: string;
  /** The run was stopped early because its supply of fresh cases ran out. */
  exhausted: boolean;
  seconds: number;
  /** CPU microseconds per 2xx response: the server process, PostgreSQL, the load generator. */
  cpu?: CpuSample;
}

export interface Load {
  url: string;
  connections: number;
  duration: number;
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
  /** The path of the next request; `undefined` when the supply ran out (the run then stops). */
  next: () => string | undefined;
}

export async function measure(load: Load): Promise<Measure> {
  let exhausted = false;
  let firstFailure: string | undefined;
  let last = "/";
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    instance = autocannon(
      {
        url: load.url,
        connections: load.connections,
        duration: load.duration,
        requests: [
          {
            method: load.method ?? "GET",
            ...(load.headers ? { headers: load.headers } : {}),
            ...(load.body ? { body: load.body } : {}),
            setupRequest: (req) => {
              const path = load.next();
              if (path === undefined) {
                if (!exhausted) setImmediate(() => instance?.stop());
                exhausted = true;
                // Re-sends the last request, which will fail; the run is flagged and those failures are reported.
                return { ...req, path: last };
              }
              last = path;
              return { ...req, path };
            },
            onResponse: (status, body) => {
              if ((status < 200 || status > 299) && firstFailure === undefined)
                firstFailure = `${status} ${body.slice(0, 300)}`;
            },
          },
        ],
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
  const result = await done;
  const non2xx: Record<string, number> = {};
  for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) {
    if (!code.startsWith("2")) non2xx[code] = s.count ?? 0;
  }
  return {
    rps: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result["2xx"],
    non2xx,
    socketErrors: result.errors,
    ...(firstFailure ? { firstFailure } : {}),
    exhausted,
    seconds: result.duration,
  };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Endless rotation through ids: reads spread over the whole table rather than one hot row. */
export function rotate(ids: readonly string[], path: (id: string) => string): () => string {
  let i = 0;
  return () => path(ids[i++ % ids.length]!);
}

/** Each id once, then `undefined`: every transition hits a fresh case. */
export function once(ids: readonly string[], path: (id: string) => string): () => string | undefined {
  let i = 0;
  return () => (i < ids.length ? path(ids[i++]!) : undefined);
}

/** One run of `load` against `server`, with the CPU each 2xx response cost. */
export async function measured(server: Child, load: Load): Promise<Measure> {
  const before = sampleCpu(server.pid);
  const m = await measure(load);
  return { ...m, cpu: cpuPerRequest(before, sampleCpu(server.pid), m.ok) };
}
