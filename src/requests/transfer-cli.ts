/** `traslado import FILE` and `traslado export`: requests with people and charges in and out, as CSV or JSON. */
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { setFlagsFromString } from "node:v8";
import { SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { consoleActor } from "../auth/tokens.ts";
import { withServices } from "../cli/context.ts";
import {
  auditEvents,
  cases,
  caseTransitions,
  charges,
  deadlines,
  imports,
  people,
  requests,
} from "../db/schema.ts";
import { type ExportEntity, exportEntities, exportRecords } from "./export.ts";
import { csvColumns, formatOf, importFile, type ProgressListener, type TransferFormat } from "./import.ts";

/** How far V8 may grow the heap past what is live during an import (percent), see the import command. */
const IMPORT_HEAP_GROWING_PERCENT = 50;
/** PostgreSQL's `temp_buffers` for an import's session: room for a million requests' `FileMemory` (some 200 MB). */
const IMPORT_TEMP_BUFFERS = "256MB";

const importHelp = `
Formats (by the file's extension unless --format is given):
  JSON  an array of requests as the API takes them (POST /api/requests), each with "person" inline
        (or "personId" of an existing person) and "charges". Errors are located by array index.
  CSV   a header line, then one row per charge; consecutive rows with the same request_ref form one
        request. Errors are located by line (the header is line 1). Columns, in any order:
          ${csvColumns.join(", ")}
        request_ref      groups the rows of one request (any text; not stored)
        person_ref       optional: requests with the same person_ref share one new person
        person_id        optional: an existing person instead of the person columns
        given_names, family_names, date_of_birth (YYYY-MM-DD), custody_facility, custody_since
        aliases, nationalities (ISO alpha-2), risk_flags: lists separated by ";"
        identifiers      kind:value;kind:value (kinds: national-id, curp, requesting-state-id,
                         fbi-number, interpol-notice, passport, other)
        fictional, capital_eligible, sealed: true/false (empty = false)
        requesting_state (ISO alpha-2), requesting_agency, type (provisional-arrest,
        formal-extradition, security-transfer, temporary-surrender), channel (diplomatic-note,
        written-request, interpol, other), diplomatic_note (required for a diplomatic-note),
        sent_on, received_on, court, district, court_case_number
        statute, description, maximum_penalty: the charge of the row
        A request's later rows may leave the request and person columns empty.

All or nothing, streamed: the file is read, checked and written in batches inside one transaction, so
memory stays flat however long the file. If any record is bad, nothing more is written, the rest of the
file is still checked, each bad line and field is reported (the first 1,000 issues, and how many more),
the transaction is rolled back (nothing is imported) and the exit code is 2. An import stopped part way
(killed, or the connection lost) leaves nothing either. With --partial the valid records are imported and the bad
ones reported (exit code 0, or 2 when no record was valid).
Each import is recorded with the SHA-256 of the file: the same file again is refused and nothing is
written (exit code 1), unless --again says it is meant. Examples: examples/requests.csv, examples/requests.json.`;

/**
 * Progress on stderr: a bar when it is a terminal; otherwise (pipes, CI, logs) a line at each tenth of the
 * file read, so that whoever watches a long import can tell how far it has gone.
 */
function progressReport(): { listener: ProgressListener; stop(): void } {
  if (!process.stderr.isTTY) {
    let tenths = 0;
    return {
      listener({ bytes = 0, totalBytes = 0, records, requests }) {
        const now = totalBytes > 0 ? Math.floor((bytes * 10) / totalBytes) : 0;
        if (now <= tenths) return;
        tenths = now;
        process.stderr.write(
          `traslado: ${now * 10}% of the file read: ${records} record(s) checked, ${requests} request(s) written (not yet committed)\n`,
        );
      },
      stop() {},
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format: " importing [{bar}] {percentage}% | {records} record(s) | ETA {eta_formatted}",
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    listener({ bytes = 0, totalBytes = 0, records }) {
      if (!started) bar.start(totalBytes, bytes, { records });
      else bar.update(bytes, { records });
      started = true;
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

export function registerTransferCommands(program: Command): void {
  program
    .command("import")
    .description("import requests with their people and charges from a CSV or JSON file (all or nothing)")
    .argument("<file>", "the CSV or JSON file")
    .addOption(
      new Option("--format <format>", "file format (default: the file's extension)").choices(["csv", "json"]),
    )
    .option("--partial", "import the valid records and report the bad ones, instead of importing nothing")
    .option(
      "--open-cases",
      "open a case per request (security-transfer: security track; others: treaty track)",
    )
    .option("--again", "import a file that was already imported (by default the same file is refused)")
    .option(
      "--allow-duplicates",
      "record new people even when people already recorded, or new people earlier in the file, are likely the same (by default such a record is refused, naming them)",
    )
    .option(
      "--timings",
      "say where the import's time went (checking, the duplicate check, writing, audit events)",
    )
    .option("--party <party>", "the state the console operator acts for", "MX")
    .addHelpText("after", importHelp)
    .action(
      (
        file: string,
        opts: {
          format?: TransferFormat;
          partial?: boolean;
          openCases?: boolean;
          again?: boolean;
          allowDuplicates?: boolean;
          timings?: boolean;
          party: string;
        },
      ) =>
        withServices(async (s) => {
          // An import allocates steadily for minutes, batch after batch. Left to itself V8 lets the heap
          // grow to several times what is live before it collects in full (a million requests peaked at
          // 511 MB); grown by half at most, the import's memory stays near what one batch holds.
          setFlagsFromString(`--heap-growing-percent=${IMPORT_HEAP_GROWING_PERCENT}`);
          const format = formatOf(file, opts.format);
          const bar = progressReport();
          const started = performance.now();
          let result: Awaited<ReturnType<typeof importFile>>;
          try {
            result = await importFile({
              db: s.database.app,
              // The foreign ministry logs requests received, and opens their cases.
              actor: consoleActor(opts.party, "foreign-ministry"),
              file,
              format,
              partial: opts.partial ?? false,
              openCases: opts.openCases ?? false,
              again: opts.again ?? false,
              allowDuplicates: opts.allowDuplicates ?? false,
              // What the import remembers of the file, in the server's memory rather than its temporary
              // files (a million requests read some 25 million rows of it back).
              ...(s.database.kind === "postgres" ? { tempBuffers: IMPORT_TEMP_BUFFERS } : {}),
              onProgress: bar.listener,
            });
          } finally {
            bar.stop();
          }
          // A bulk write: ANALYZE the tables it filled, so the query planner does not go on planning for
          // their old sizes (with autovacuum off, transitions fell to 3/s after 150,000 requests until it ran).
          const analysing = performance.now();
          if (result.requests > 0)
            await s.database.analyze([
              people,
              requests,
              charges,
              cases,
              caseTransitions,
              deadlines,
              imports,
              auditEvents,
            ]);
          const analysed = performance.now() - analysing;
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          if (result.rejectedRecords > 0) {
            process.stderr.write(
              `traslado: rejected ${result.rejectedRecords} of ${result.records} record(s); the others were imported\n`,
            );
            for (const i of result.rejected) process.stderr.write(`  ${i.location}: ${i.field}: ${i.rule}\n`);
            if (result.moreIssues > 0)
              process.stderr.write(`  (more): ${result.moreIssues} further issue(s), not listed\n`);
            // Nothing valid at all: fail as a bad file does.
            if (result.requests === 0) process.exitCode = 2;
          }
          process.stdout.write(
            `imported ${result.requests} request(s): ${result.people} new people, ${result.charges} charge(s)` +
              (opts.openCases ? `, ${result.cases} case(s) opened` : "") +
              ` in ${seconds} s\n`,
          );
          if (opts.timings) {
            const t = result.timings;
            const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
            process.stderr.write(
              `traslado: timings: import ${sec(t.total)}: checking ${sec(t.check)} (duplicates: the people recorded ` +
                `${sec(t.duplicatesRecorded)}, the file's own ${sec(t.duplicatesInFile)}), writing ${sec(t.write)}, ` +
                `audit events ${sec(t.audit)}; then analysing ${sec(analysed)}\n`,
            );
          }
        }),
    );

  program
    .command("export")
    .description("export the record as JSON (an array) or CSV, a page at a time")
    .addOption(new Option("--format <format>", "output format").choices(["json", "csv"]).default("json"))
    .addOption(new Option("--entity <entity>", "what to export").choices(exportEntities).default("requests"))
    .option("--out <file>", "write to this file instead of standard output")
    .option("--party <party>", "the state whose record is exported (what its auditor may read)", "MX")
    .addHelpText(
      "after",
      "\nRequests include their charges; in CSV, one row per charge with the columns of `traslado import`, so a\nCSV export of requests re-imports. Other entities: one column per database column, lists as JSON.",
    )
    .action((opts: { format: TransferFormat; entity: ExportEntity; out?: string; party: string }) =>
      withServices(async (s) => {
        const out = opts.out ? createWriteStream(opts.out) : process.stdout;
        const count = await exportRecords({
          db: s.database.app,
          // An export is what the party's auditor may read.
          actor: consoleActor(opts.party, "auditor"),
          entity: opts.entity,
          format: opts.format,
          out,
        });
        if (opts.out) {
          out.end();
          await finished(out);
          process.stderr.write(`traslado: exported ${count} ${opts.entity} to ${opts.out}\n`);
        }
      }),
    );
}
