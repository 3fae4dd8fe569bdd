/**
 * The benchmarks' command lines. Every option is declared (`parseArgs`, strict): a mistyped or unknown
 * option stops the benchmark with one line naming it, instead of a stack trace or, worse, a long run of
 * something else than was asked for. `--help` prints the benchmark's own doc comment (the first doc
 * comment of its file) and its options with their defaults.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

const HELP = { help: { type: "boolean", short: "h" } } as const;

/** The npm script that runs the benchmark (`bench:import` for bench/import.ts), for its messages. */
function benchName(moduleUrl: string): string {
  const file = fileURLToPath(moduleUrl);
  const pkg = JSON.parse(readFileSync(join(dirname(file), "../package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const script = Object.entries(pkg.scripts).find(([, cmd]) => cmd.endsWith(`bench/${basename(file)}`));
  return script?.[0] ?? `bench:${basename(file, ".ts")}`;
}

/** The first doc comment of a file, without its comment marks. */
function docComment(file: string): string {
  const m = /\/\*\*([\s\S]*?)\*\//.exec(readFileSync(file, "utf8"));
  if (!m) return "";
  return m[1]!
    .split("\n")
    .map((line) => line.replace(/^\s*\* ?/, ""))
    .join("\n")
    .trim();
}

function usage(moduleUrl: string, options: Options): string {
  const lines = Object.entries(options).map(([name, o]) => {
    const arg = o.type === "string" ? " VALUE" : "";
    const dflt = o.default === undefined || o.default === false ? "" : `  (default: ${String(o.default)})`;
    return `  --${name}${arg}${dflt}`;
  });
  const name = benchName(moduleUrl);
  return `${docComment(fileURLToPath(moduleUrl))}\n\nnpm run ${name} -- [options]\n${lines.join("\n")}\n  --help\n`;
}

/**
 * Parses the command line of the benchmark in `moduleUrl` (its `import.meta.url`) against `options`.
 * Prints the usage and exits 0 on `--help`; prints the error and exits 2 on an unknown option or a
 * missing value. An option's value may start with a dash only in the `--name=value` form.
 */
export function benchArgs<const O extends Options>(
  moduleUrl: string,
  options: O,
): ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"] {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ options: { ...options, ...HELP }, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${benchName(moduleUrl)}: ${(e as Error).message}\n(--help lists the options)\n`);
    process.exit(2);
  }
  if (values.help) {
    process.stdout.write(usage(moduleUrl, options));
    process.exit(0);
  }
  delete values.help;
  return values as ReturnType<typeof parseArgs<{ options: O; strict: true }>>["values"];
}

/** An option's whole-number value, at least `min`; a clear error and exit 2 otherwise. */
export function integerArg(name: string, value: string | undefined, min = 1): number {
  const n = Number(value);
  if (value === undefined || value.trim() === "" || !Number.isInteger(n) || n < min) {
    process.stderr.write(`bench: --${name} must be a whole number of at least ${min}, not ${value}\n`);
    process.exit(2);
  }
  return n;
}
