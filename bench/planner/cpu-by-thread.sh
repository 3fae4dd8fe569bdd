#!/usr/bin/env bash
# Where a new process's CPU goes: `traslado plan --bppc FILE --format json --seed S` under `perf record -g`,
# its samples summed by thread, and V8's helper threads (`V8Worker`) split by what their call stacks hold.
#
#   bash bench/planner/cpu-by-thread.sh BPPC_FILE [SEEDS...]     (default seeds: 1 2 3)
#
# Needs Linux `perf` (Debian: apt-get install linux-perf). Samples at 4 kHz, so one sample is 0.25 ms of CPU.
# Prints, per seed, the answer's bins and solver ms, then CPU ms by part (docs/BENCHMARKS.md, "where a new
# process's CPU goes").
set -euo pipefail
file=${1:?usage: cpu-by-thread.sh BPPC_FILE [SEEDS...]}
shift
seeds=("${@:-1 2 3}")
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v perf > /dev/null || { echo "cpu-by-thread: perf is not installed" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for seed in ${seeds[@]}; do
  perf record -q -g -F 4000 -o "$work/perf.data" -- \
    node "$root/bin/traslado.js" plan --bppc "$file" --format json --seed "$seed" > "$work/answer.json" 2> /dev/null
  answer=$(node -e 'const a = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    process.stdout.write(`${a.bins} bins, solver ${a.elapsedMs.toFixed(0)} ms`)' "$work/answer.json")
  perf script -i "$work/perf.data" -F comm,tid,ip,sym 2> /dev/null | awk -v head="seed $seed: $answer" '
    # A sample is a header line (thread name, thread id) and then its call stack, one frame a line.
    function close_sample() {
      if (thread == "") return
      part = "other: " thread
      if (thread == "WorkerThread") part = "solver thread (warm-up and solve)"
      else if (thread == "MainThread" || thread == "node") part = "main thread (loading, reading, printing)"
      else if (thread == "V8Worker") {
        if (stack ~ /[Ww]asm/) part = "V8 helpers: WebAssembly compiled"
        else if (stack ~ /OptimizedCompilationJob|TurbofanCompilationJob|PipelineCompilationJob|OptimizingCompile|[Mm]aglev/) part = "V8 helpers: JavaScript optimised"
        else part = "V8 helpers: garbage collection and the rest"
      }
      ms[part] += 0.25; total += 0.25; thread = ""; stack = ""
    }
    /^ *[A-Za-z][A-Za-z0-9 ]* [0-9]+ *$/ { close_sample(); thread = $1; next }
    /^[ \t]*$/ { close_sample(); next }
    { stack = stack " " $0 }
    END {
      close_sample()
      printf "%s; whole process %d ms CPU\n", head, total
      for (p in ms) printf "  %6d ms  %s\n", ms[p], p
    }'
done
