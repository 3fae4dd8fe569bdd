/**
 * Demo data (issue 2, item 8): the three security transfers of 2025–2026 with fictional people,
 * a dozen treaty extradition cases with live and overdue deadlines, and pending security-transfer
 * requests.
 *
 * Everything goes through the services, as the officer who would act in the world: every step of a legal
 * track through `cases.transition` (the transition table refuses a role that may not take it, and the
 * guards run as they would for an officer; the council's and the ministry's steps record their decisions),
 * every operation through its lifecycle (people listed, a plan adopted — the aircraft each person flew on,
 * checked against every rule — ready, in transit, each handover with its case's last step, completed).
 * Rows that arrive together — the people, affiliations and charges of one written request, the cases
 * opened for them — go through the services' bulk methods (`insertRequests`, `cases.openMany`) in one
 * audited write, after validation through the same zod schemas as the API. Nothing is written around the
 * audit chain or the rules, so `audit verify` and the invariants hold afterwards.
 *
 * Dates of the operations are the public ones; dates of pending matters are relative to `now`, so the
 * deadlines list always shows both upcoming and overdue items.
 */
import { inArray, sql } from "drizzle-orm";
import type { z } from "zod";
import { write } from "../audit/write.ts";
import type { Actor, Role } from "../auth/roles.ts";
import { addDays, toIsoDate } from "../cases/calendar.ts";
import { ZCreateAssurance, ZCreateHold, ZOpenCase, ZTransitionBody } from "../cases/schemas.ts";
import type { Policy } from "../cases/workflow.ts";
import { operations as operationsTable, people as peopleTable, places } from "../db/schema.ts";
import { AppError } from "../errors.ts";
import { ZPlanRequest } from "../operations/planning.ts";
import {
  ZAdoptPlan,
  ZConfirmHandover,
  ZCreateAdministration,
  ZCreateHandover,
  ZCreateOperation,
  ZCreatePlace,
  ZCreateRelease,
  ZOperationStatusChange,
} from "../operations/schemas.ts";
import { ZCreateOrganisation } from "../people/schemas.ts";
import { ZCreateRequest } from "../requests/schemas.ts";
import { insertRequests } from "../requests/service.ts";
import type { Services } from "../services.ts";
import * as data from "./demo-data.ts";

export interface SeedResult {
  people: number;
  operations: number;
  cases: number;
}

const actor = (id: string, name: string, party: string, role: Role): Actor => ({
  id: `demo-${id}`,
  name,
  party,
  role,
});

/** The people who make each kind of write, as the transition table expects them. */
export const demoActors = {
  loader: actor("loader", "Demo data loader", "MX", "admin"),
  liaison: actor("sre-liaison", "SRE liaison officer (demo)", "MX", "foreign-ministry"),
  secretariat: actor(
    "csn-secretariat",
    "National Security Council secretariat analyst (demo)",
    "MX",
    "secretariat",
  ),
  council: actor("csn-recorder", "National Security Council recorder (demo)", "MX", "decision-authority"),
  custody: actor("custody", "Federal custody officer (demo)", "MX", "custody-officer"),
  planner: actor("planner", "Operations planner (demo)", "MX", "operations-planner"),
  prosecutor: actor("fgr-prosecutor", "FGR prosecutor, international affairs (demo)", "MX", "prosecutor"),
  judge: actor("judge", "Federal criminal judge (demo)", "MX", "judge"),
  doj: actor("doj-oia", "DOJ Office of International Affairs officer (demo)", "US", "request-officer"),
  usms: actor("usms", "Deputy US Marshal (demo)", "US", "receiving-officer"),
  /** A third requesting state, so that "another requesting state's cases" exist to be kept apart. */
  guatemala: actor(
    "gt-attache",
    "Legal attaché, Embassy of Guatemala in Mexico (demo)",
    "GT",
    "request-officer",
  ),
} as const;

const strict: Policy = { deathPenaltyAssurance: "block", amparoWindow: "ley-de-amparo" };
/** February 2025: the transfer went ahead without the assurance; the system records the open risk. */
const recordRisk: Policy = { deathPenaltyAssurance: "record-risk", amparoWindow: "ley-de-amparo" };

/** A moment of a day, in UTC. */
const at = (day: string, hourUtc = 17) => `${day}T${String(hourUtc).padStart(2, "0")}:00:00.000Z`;

const bypassBasis =
  "Ley de Seguridad Nacional art. 5; National Security Council decision: the injunction concerns extradition under the treaty, not this transfer";

/** The demo's operation codes: if any exists, the demo is already loaded. */
export const demoOperationCodes = data.operations.map((o) => o.code);

/**
 * Waits for every one of `steps`, then fails with the first failure: none is left writing after the
 * seed has given up.
 */
async function allOf(steps: Promise<unknown>[]): Promise<void> {
  const outcomes = await Promise.allSettled(steps);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (failed) throw failed.reason;
}

export async function demoLoaded(s: Services): Promise<boolean> {
  for (const op of data.operations) {
    const page = await s.operations.list({ limit: 500, from: op.date, to: op.date }, demoActors.planner);
    if (page.items.some((o) => o.code === op.code)) return true;
  }
  return false;
}

/** No people and no operations, of any party: the system's question. */
export async function databaseIsEmpty(s: Services): Promise<boolean> {
  const db = s.database.app;
  return s.database.scoped("system", async () => {
    const [person] = await db.select({ id: peopleTable.id }).from(peopleTable).limit(1);
    const [op] = await db.select({ id: operationsTable.id }).from(operationsTable).limit(1);
    return !person && !op;
  });
}

/**
 * Loads the demo. Refuses (DUPLICATE) if the demo's operations already exist, so it is never loaded
 * twice; other existing data is left alone (known places and organisations are reused).
 */
export async function seedDemo(s: Services, options: { now?: Date } = {}): Promise<SeedResult> {
  const now = options.now ?? new Date();
  if (await demoLoaded(s)) {
    throw new AppError("DUPLICATE", "the demo data is already loaded (its operations exist)", {
      issues: [{ field: "operations", rule: `${demoOperationCodes.join(", ")} already exist` }],
    });
  }
  const today = toIsoDate(now);
  const lastOp = data.operations[data.operations.length - 1]!;
  if (addDays(lastOp.date, 10) > today) {
    throw new AppError("VALIDATION_FAILED", `now: the demo needs a date after ${addDays(lastOp.date, 10)}`, {
      issues: [{ field: "now", rule: `on or after ${addDays(lastOp.date, 10)}` }],
    });
  }
  const seeder = new Seeder(s, now);
  await seeder.reference();
  for (const op of data.operations) await seeder.operation(op);
  await seeder.treatyCases();
  await seeder.pendingTransfers();
  await seeder.thirdState();
  return seeder.result();
}

/**
 * Loads the demo only if the database has no people and no operations; returns null otherwise.
 * On a PostgreSQL server, an advisory lock keeps two app processes starting at once from both loading it.
 */
export async function seedDemoIfEmpty(s: Services, options: { now?: Date } = {}): Promise<SeedResult | null> {
  if (s.database.kind !== "postgres") {
    return (await databaseIsEmpty(s)) ? seedDemo(s, options) : null;
  }
  // Held in one transaction on one pooled connection while the seed writes on the others.
  return s.database.db.transaction(async (tx) => {
    const res = await tx.execute(
      sql`select pg_try_advisory_xact_lock(hashtext('traslado-demo-seed')) as got`,
    );
    const got = (res as unknown as { rows: { got: boolean }[] }).rows[0]?.got;
    if (!got) return null;
    return (await databaseIsEmpty(s)) ? seedDemo(s, options) : null;
  });
}

type RequestRow = Awaited<ReturnType<typeof insertRequests>>[number];

interface PersonSpec {
  person: data.FictionalPerson;
  organisations: string[];
  facility: data.PrisonCode;
  custodySince: string;
  riskFlags: data.RiskFlag[];
  request: Omit<z.input<typeof ZCreateRequest>, "person" | "personId">;
  /** Nationality (ISO 3166-1 alpha-2) and the prefix of the requesting state's identifier. */
  nationality?: string;
  idPrefix?: string;
}

class Seeder {
  private readonly a = demoActors;
  private readonly orgIds = new Map<string, string>();
  private administrationId = "";
  private nextPerson = 0;
  private peopleCount = 0;
  private operationsCount = 0;
  private casesCount = 0;

  constructor(
    private readonly s: Services,
    private readonly now: Date,
  ) {}

  result(): SeedResult {
    return { people: this.peopleCount, operations: this.operationsCount, cases: this.casesCount };
  }

  private daysAgo(n: number) {
    return addDays(toIsoDate(this.now), -n);
  }

  // --- Reference data ---------------------------------------------------------------------------

  async reference() {
    const { loader } = this.a;
    const db = this.s.database.app;
    const codes = [...Object.keys(data.airports), ...data.prisons.map((p) => p.code)];
    const known = new Set(
      (
        await this.s.database.scoped("system", () =>
          db.select({ code: places.code }).from(places).where(inArray(places.code, codes)),
        )
      ).map((r) => r.code),
    );
    for (const [code, a] of Object.entries(data.airports)) {
      if (known.has(code)) continue;
      const input = ZCreatePlace.parse({ code, kind: "airport", name: a.name, lat: a.lat, lon: a.lon });
      await this.s.reference.places.create({ actor: loader, input });
    }
    for (const p of data.prisons) {
      if (known.has(p.code)) continue;
      await this.s.reference.places.create({
        actor: loader,
        input: ZCreatePlace.parse({ code: p.code, kind: "prison", name: p.name }),
      });
    }
    const adms = await this.s.reference.administrations.list({ limit: 500 }, loader);
    const existing = adms.items.find((x) => x.name === data.administration.name);
    this.administrationId =
      existing?.id ??
      (
        await this.s.reference.administrations.create({
          actor: loader,
          input: ZCreateAdministration.parse(data.administration),
        })
      ).id;

    // Parents before cells; each organisation names its rivals already created.
    for (const o of data.organisations) {
      const [found] = (
        await this.s.organisations.list({ limit: 50, q: o.name }, this.a.secretariat)
      ).items.filter((x) => x.name === o.name);
      if (found) {
        this.orgIds.set(o.name, found.id);
        continue;
      }
      const rivals = data.rivalries
        .filter(([x, y]) => x === o.name || y === o.name)
        .map(([x, y]) => (x === o.name ? y : x))
        .flatMap((r) => (this.orgIds.has(r) ? [this.orgIds.get(r)!] : []));
      const hasRivals = data.rivalries.some((pair) => pair.includes(o.name));
      const notes = [o.notes, hasRivals ? data.rivalryNote : undefined].filter(Boolean).join(". ");
      const input = ZCreateOrganisation.parse({
        name: o.name,
        aliases: o.aliases,
        ...(o.parent ? { parentId: this.orgIds.get(o.parent) } : {}),
        ...(notes ? { notes } : {}),
        rivalIds: rivals,
      });
      const row = await this.s.organisations.create({ actor: this.a.secretariat, input });
      this.orgIds.set(o.name, row.id);
    }
  }

  // --- People and requests ----------------------------------------------------------------------

  /**
   * Creates the people with their affiliations and requests in one audited write — the requests' bulk path
   * (`insertRequests`): the written request names every person at once. A person's first organisation is
   * their primary affiliation.
   */
  private async people(specs: PersonSpec[], recorder: Actor = this.a.liaison) {
    const inputs = specs.map((spec) =>
      ZCreateRequest.parse({
        ...spec.request,
        person: {
          givenNames: spec.person.givenNames,
          familyNames: spec.person.familyNames,
          aliases: spec.person.aliases,
          dateOfBirth: spec.person.dateOfBirth,
          nationalities: [spec.nationality ?? "MX"],
          identifiers: [
            {
              kind: "requesting-state-id",
              value: `DEMO-${spec.idPrefix ?? "USMS"}-${String(10_000 + spec.person.index)}`,
            },
            ...(spec.person.index % 2 === 0
              ? [{ kind: "interpol-notice", value: `DEMO-A-${String(1000 + spec.person.index)}/2024` }]
              : []),
          ],
          riskFlags: spec.riskFlags,
          custodyFacility: data.prisonName(spec.facility),
          custodySince: spec.custodySince,
          fictional: true,
          affiliations: spec.organisations.map((name, k) => ({
            organisationId: this.orgIds.get(name)!,
            role: data.roleFor(spec.person.index + k),
            primary: k === 0,
          })),
        },
      }),
    );
    const rows = await write(this.s.database.app, recorder, (w) => insertRequests(w, inputs));
    this.peopleCount += rows.length;
    return rows.map((r) => ({ personId: r.personId, request: r }));
  }

  /** Opens cases in one audited write, each built as `cases.open` builds one (`cases.openMany`). */
  private async openCases(
    list: { track: "treaty" | "security"; personId: string; request: RequestRow; openedOn: string }[],
  ) {
    const rows = await write(this.s.database.app, this.a.liaison, (w) =>
      this.s.cases.openMany(
        w,
        list.map((c) => {
          const input = ZOpenCase.parse({
            track: c.track,
            personId: c.personId,
            requestId: c.request.id,
            openedOn: c.openedOn,
          });
          return { ...input, request: c.request };
        }),
      ),
    );
    this.casesCount += rows.length;
    return rows.map((r) => r.id);
  }

  private spec(
    organisations: string[],
    facility: data.PrisonCode,
    custodySince: string,
    request: PersonSpec["request"],
  ): PersonSpec {
    const n = this.nextPerson++;
    return {
      person: data.fictionalPerson(n),
      organisations,
      facility,
      custodySince,
      riskFlags: data.riskFlagsFor(n),
      request,
    };
  }

  private async step(
    caseId: string,
    who: Actor,
    transition: string,
    occurredAt: string,
    legalBasis: string,
    reasons: string,
    extra: { bypass?: { holdIds: string[]; legalBasis: string }; operationId?: string; policy?: Policy } = {},
  ) {
    const input = ZTransitionBody.parse({
      transition,
      legalBasis,
      reasons,
      occurredAt,
      ...(extra.bypass ? { bypass: extra.bypass } : {}),
      ...(extra.operationId ? { operationId: extra.operationId } : {}),
    });
    return this.s.cases.transition({
      actor: who,
      caseId,
      input,
      now: this.now,
      policy: extra.policy ?? strict,
    });
  }

  private async hold(
    personId: string,
    caseId: string | undefined,
    kind: "amparo" | "pending-proceeding",
    filedOn: string,
    source: string,
    reference: string,
  ) {
    const input = ZCreateHold.parse({
      personId,
      ...(caseId ? { caseId } : {}),
      kind,
      source,
      reference,
      filedOn,
      blocksSurrender: true,
    });
    return (await this.s.legal.holds.create({ actor: this.a.prosecutor, input })).id;
  }

  // --- The three operations ---------------------------------------------------------------------

  async operation(op: data.OperationData) {
    const { a } = this;
    const destinations = data.manifestOf(op);
    const callsigns = data.aircraftOf(op);
    const organisationsOf = data.organisationsOf(op);
    const d = (n: number) => addDays(op.date, n);
    const year = Number(op.date.slice(0, 4));
    const specs = destinations.map((dest, i) => {
      const district = data.districtOf[dest];
      const sentOn = d(-38 - (i % 4));
      return this.spec(organisationsOf[i]!, op.prisons[i % op.prisons.length]!, d(-400 - ((i * 37) % 900)), {
        requestingState: "US",
        requestingAgency: data.requestingAgency,
        type: "security-transfer",
        channel: "written-request",
        sentOn,
        receivedOn: addDays(sentOn, 1),
        court: data.courtOf(district),
        district,
        courtCaseNumber: data.caseNumber(district, year - 1 - (i % 3), i),
        charges: data.chargesFor(i, op.date),
      });
    });
    const persons = await this.people(specs);

    // Injunctions the transfer bypassed, and treaty cases still pending when it happened.
    const withAmparo = new Set(
      op.code.endsWith("02-27") ? [5, 17] : op.code.endsWith("08-12") ? [3] : [8, 20, 31],
    );
    const withTreatyCase = new Set(
      op.code.endsWith("02-27") ? [2] : op.code.endsWith("08-12") ? [10] : [4, 15],
    );

    const caseIds = await this.openCases(
      persons.map((p, i) => ({
        track: "security",
        ...p,
        openedOn: specs[i]!.request.receivedOn!,
      })),
    );
    const cases: { caseId: string; holdIds: string[]; treatyCaseId?: string }[] = [];
    for (const [i, p] of persons.entries()) {
      const caseId = caseIds[i]!;
      const holdIds: string[] = [];
      let treatyCaseId: string | undefined;
      if (withTreatyCase.has(i)) {
        treatyCaseId = await this.pendingTreatyCase(p.personId, specs[i]!, d(-420));
        holdIds.push(
          await this.hold(
            p.personId,
            undefined,
            "pending-proceeding",
            d(-415),
            "Extradition proceeding under the 1978 treaty, pending before the foreign ministry",
            `Treaty case ${treatyCaseId}`,
          ),
        );
      }
      if (withAmparo.has(i)) {
        holdIds.push(
          await this.hold(
            p.personId,
            caseId,
            "amparo",
            d(-20),
            "Juzgado de Distrito en Materia de Amparo Penal (demo): suspension against any surrender abroad",
            `Amparo DEMO ${100 + i}/${year}`,
          ),
        );
      }
      cases.push({ caseId, holdIds, ...(treatyCaseId ? { treatyCaseId } : {}) });
    }
    // Each step runs for every case at once: the cases are independent, and the audit linker then links
    // many transitions per pass.
    const everyCase = (
      who: Actor,
      transition: string,
      when: (i: number) => string,
      legalBasis: string,
      reasons: (i: number) => string,
      extra: (i: number) => Parameters<Seeder["step"]>[6] = () => ({}),
    ) =>
      allOf(
        cases.map(({ caseId }, i) =>
          this.step(caseId, who, transition, when(i), legalBasis, reasons(i), extra(i)),
        ),
      );

    await everyCase(
      a.secretariat,
      "begin-analysis",
      (i) => at(addDays(specs[i]!.request.receivedOn!, 2)),
      "Ley de Seguridad Nacional arts. 12–13",
      () => "File received from the foreign ministry; analysis of the person's criminal record and risk",
    );
    await everyCase(
      a.secretariat,
      "propose-to-council",
      () => at(d(-12)),
      "Ley de Seguridad Nacional arts. 12–13",
      () => "Proposed for transfer: continuing threat to national security from prison",
    );
    // The council's session decides on every person proposed: each approval records its decision.
    await everyCase(
      a.council,
      "approve-transfer",
      () => at(d(-8)),
      data.councilLegalBasis,
      (i) =>
        "Sovereign decision: the person continues to direct criminal activity from prison; transfer to the requesting state approved" +
        (cases[i]!.holdIds.length
          ? "; the pending injunction or proceeding does not stop this transfer"
          : ""),
    );

    // The operation is planned with its people listed; each boards once their case is ready.
    const operation = await this.s.operations.create({
      actor: a.planner,
      input: ZCreateOperation.parse({
        code: op.code,
        legalBasis: data.operationLegalBasis,
        operationDate: op.date,
        stagingAirport: op.staging,
        receivingState: "US",
        administrationId: this.administrationId,
        notes: op.notes,
        aircraft: op.aircraft.map((x) => ({
          callsign: x.callsign,
          model: x.model,
          seats: x.seats,
          maxStops: Math.max(2, x.route.length),
          rangeKm: x.rangeKm,
        })),
        people: persons.map((p, i) => ({
          personId: p.personId,
          caseId: cases[i]!.caseId,
          destinationAirport: destinations[i]!,
          chargingDistrict: data.districtOf[destinations[i]!],
        })),
      }),
    });
    this.operationsCount++;
    if (op.assurance) {
      await this.s.legal.assurances.create({
        actor: a.liaison,
        input: ZCreateAssurance.parse({
          kind: "no-death-penalty",
          giver: data.requestingAgency,
          scope: "operation",
          operationId: operation.id,
          givenOn: op.assurance.givenOn,
          documentRef: op.assurance.documentRef,
          status: "given",
        }),
      });
    }
    const policy = op.assurance ? strict : recordRisk;
    await everyCase(
      a.secretariat,
      "confirm-assurances",
      () => at(d(-4)),
      "Council decision conditions; Treaty art. 8 by analogy",
      () =>
        op.assurance
          ? `No-death-penalty assurance ${op.assurance.documentRef} given by the US Department of Justice for the whole operation`
          : "No death-penalty assurance given: the requesting side said it would evaluate capital charges; transferred under the council's decision, recorded as an open risk",
      () => ({ policy }),
    );
    await everyCase(
      a.custody,
      "mark-ready",
      () => at(d(-2)),
      "Custody readiness",
      (i) => `Medical check done; ready at ${specs[i]!.facility}`,
    );

    // The plan as it flew: each person on the aircraft that carried them, checked against every rule.
    const fleet = new Map(operation.aircraft.map((x) => [x.callsign, x.id]));
    await this.s.planning.plan({
      actor: a.planner,
      operationId: operation.id,
      input: ZPlanRequest.parse({
        assignment: Object.fromEntries(persons.map((p, i) => [p.personId, fleet.get(callsigns[i]!)!])),
      }),
    });
    await this.s.operations.adopt({
      actor: a.planner,
      operationId: operation.id,
      input: ZAdoptPlan.parse({}),
    });
    await everyCase(
      a.planner,
      "assign-to-operation",
      () => at(d(-1)),
      data.operationLegalBasis,
      (i) => `Assigned to ${op.code}, destination ${destinations[i]}`,
      (i) => ({
        operationId: operation.id,
        ...(cases[i]!.holdIds.length
          ? { bypass: { holdIds: cases[i]!.holdIds, legalBasis: bypassBasis } }
          : {}),
      }),
    );
    const move = (who: Actor, status: string, occurredAt: string, reason: string) =>
      this.s.operations.setStatus({
        actor: who,
        operationId: operation.id,
        input: ZOperationStatusChange.parse({ status, occurredAt, reason }),
        now: this.now,
      });
    await move(a.planner, "ready", at(d(-1), 20), "Everyone on board; the plan breaks no rule");
    await move(a.custody, "in-transit", at(op.date, 12), `Departed ${op.staging}`);
    // The signed handover records, one per person, as the escort delivered them: each takes the person's case
    // to handed-over (the death-penalty guard runs again, under the operation's policy); the US Marshals
    // Service confirms each on its side.
    for (const [i, p] of persons.entries()) {
      const handover = await this.s.operations.handOver({
        actor: a.custody,
        input: ZCreateHandover.parse({
          operationId: operation.id,
          personId: p.personId,
          place: destinations[i],
          occurredAt: at(op.date, 19),
          dispatchingOfficer: "SSPC escort commander (demo)",
          dispatchingAgency: data.dispatchingAgency,
          receivingOfficer: `Deputy US Marshal, ${data.districtOf[destinations[i]!]} (demo)`,
          receivingAgency: data.receivingAgency,
          condition: "Good health; medical certificates at dispatch and on arrival",
          documents: [
            `DEMO-HO-${op.date}-${String(i + 1).padStart(3, "0")}`,
            "medical certificate",
            "fingerprint card",
          ],
          legalBasis: data.operationLegalBasis,
          reasons: `Custody taken by the US Marshals Service at ${destinations[i]}`,
        }),
        now: this.now,
        policy,
      });
      await this.s.operations.confirmHandover({
        actor: a.usms,
        handoverId: handover.id,
        input: ZConfirmHandover.parse({
          receivingOfficer: `Deputy US Marshal, ${data.districtOf[destinations[i]!]} (demo)`,
          receivingAgency: data.receivingAgency,
          occurredAt: at(op.date, 19),
          condition: "Good health; medical certificate received",
        }),
      });
    }
    await move(a.planner, "completed", at(op.date, 23), "Every person handed over");
    // What the US may know of the operation, released to it: its date, and its people's destinations.
    await this.s.operations.release({
      actor: a.planner,
      operationId: operation.id,
      input: ZCreateRelease.parse({ toParty: "US", notes: `Operation ${op.code}, as flown` }),
    });
    // The US no longer needs the extradition: it withdraws the treaty request once the person is in its custody.
    await allOf(
      cases.flatMap(({ treatyCaseId }) =>
        treatyCaseId
          ? [
              this.step(
                treatyCaseId,
                a.liaison,
                "withdraw-request",
                at(d(10)),
                "Diplomatic note of the US Embassy (desistimiento)",
                `The US withdrew the request by diplomatic note: the person is in its custody since the transfer ${op.code}`,
              ),
            ]
          : [],
      ),
    );
  }

  /** A treaty case that reached the foreign ministry but was never decided before the transfer. */
  private async pendingTreatyCase(personId: string, spec: PersonSpec, start: string) {
    const { a } = this;
    const [request] = await write(this.s.database.app, a.liaison, (w) =>
      insertRequests(w, [
        ZCreateRequest.parse({
          ...spec.request,
          personId,
          type: "provisional-arrest",
          channel: "diplomatic-note",
          diplomaticNote: `DEMO-EUA-${start.slice(0, 4)}-${spec.person.index}`,
          sentOn: start,
          receivedOn: start,
          charges: spec.request.charges.filter((c) => !c.capitalEligible),
        }),
      ]),
    );
    const [id] = await this.openCases([{ track: "treaty", personId, request: request!, openedOn: start }]);
    await this.walkTreaty(id!, start, "awaiting-foreign-ministry-decision", [1, 3, 50, 60, 100, 104]);
    return id;
  }

  /**
   * Walks a treaty case from `treaty-request-received` up to `target`, one step per offset (days
   * after `start`): provisional arrest, detention, formal request, hearing, closing, opinion, grant,
   * amparo / schedule.
   */
  private async walkTreaty(caseId: string, start: string, target: string, offsets: number[]) {
    const { a } = this;
    const path: [string, Actor, string, string, string][] = [
      [
        "request-provisional-arrest",
        a.liaison,
        "provisional-arrest-requested",
        "Treaty art. 11; LEI arts. 16–17",
        "Diplomatic note of the US Embassy asking for provisional arrest",
      ],
      [
        "detain-provisionally",
        a.judge,
        "provisionally-detained",
        "Constitution art. 119; Treaty art. 11; LEI art. 17",
        "Provisional arrest warrant executed",
      ],
      [
        "receive-formal-request",
        a.liaison,
        "formal-request-received",
        "Treaty art. 10; LEI art. 19",
        "Formal request with the documents of Treaty art. 10 received",
      ],
      [
        "open-hearing",
        a.judge,
        "judicial-hearing",
        "LEI arts. 24–25",
        "Person heard; periods to object and to prove open",
      ],
      ["close-hearing", a.judge, "awaiting-judicial-opinion", "LEI arts. 25–27", "Evidence period closed"],
      [
        "issue-judicial-opinion",
        a.judge,
        "awaiting-foreign-ministry-decision",
        "LEI art. 27",
        "Opinion: the treaty's requirements are met",
      ],
      [
        "grant-extradition",
        a.liaison,
        "extradition-granted",
        "LEI art. 30; Treaty arts. 2, 8, 9",
        "Extradition granted",
      ],
      [
        "close-amparo-window",
        a.liaison,
        "extradition-final",
        "LEI art. 33; Ley de Amparo art. 17-I",
        "No amparo filed in time",
      ],
      [
        "schedule-surrender",
        a.liaison,
        "surrender-scheduled",
        "Treaty art. 14; LEI art. 34",
        "Placed at the requesting state's disposal",
      ],
    ];
    for (const [k, [name, who, to, basis, reasons]] of path.entries()) {
      await this.step(caseId, who, name, at(addDays(start, offsets[k]!)), basis, reasons);
      if (to === target) return;
    }
    throw new Error(`walkTreaty: ${target} is not on the path`);
  }

  // --- A dozen treaty cases in every state of the track -----------------------------------------

  async treatyCases() {
    const { a } = this;
    const ago = (n: number) => this.daysAgo(n);
    const districts = [
      "EDNY",
      "SDNY",
      "DDC",
      "SD Tex.",
      "WD Tex.",
      "SD Cal.",
      "ED Pa.",
      "ND Ill.",
      "D. Ariz.",
    ];
    const orgs = ["Sinaloa", "CJNG", "Golfo", "Noreste", "Beltrán Leyva", "La Familia Michoacana", "Zetas"];
    const facilities: data.PrisonCode[] = ["CEF01", "CEF02", "CEF03", "CEF05", "CEF09", "CEF12", "CEF18"];
    /** state to reach; days ago the matter started; offsets of each step after it. */
    const plan: { target: string; start: number; offsets: number[]; capital?: boolean }[] = [
      { target: "treaty-request-received", start: 2, offsets: [] },
      { target: "provisional-arrest-requested", start: 9, offsets: [3] },
      // Formal request due in 40 days (live).
      { target: "provisionally-detained", start: 25, offsets: [2, 5] },
      // Due in 4 days (due soon).
      { target: "provisionally-detained", start: 60, offsets: [2, 4] },
      // Detained 70 days ago, no formal request: overdue by 10 days.
      { target: "provisionally-detained", start: 75, offsets: [3, 5] },
      { target: "formal-request-received", start: 110, offsets: [1, 4, 58] },
      // Objection and evidence periods running.
      { target: "judicial-hearing", start: 120, offsets: [1, 3, 55, 115] },
      { target: "awaiting-judicial-opinion", start: 160, offsets: [1, 3, 50, 70, 158] },
      // The foreign ministry's 20 business days ran out weeks ago: overdue.
      { target: "awaiting-foreign-ministry-decision", start: 220, offsets: [1, 3, 45, 60, 120, 175] },
      // Amparo window running (30 business days; LEI art. 33's 15 shown as the conflict). Capital charge with an assurance.
      { target: "extradition-granted", start: 240, offsets: [1, 3, 40, 55, 110, 160, 232], capital: true },
      // Amparo window lapsed without the ministry closing it: overdue.
      { target: "extradition-granted", start: 300, offsets: [1, 3, 45, 60, 120, 170, 230] },
      { target: "amparo-pending", start: 290, offsets: [1, 3, 45, 60, 120, 170, 240, 255] },
      // Placed at the US's disposal 20 days ago: custody window (60 natural days) live.
      { target: "surrender-scheduled", start: 330, offsets: [1, 3, 40, 60, 120, 180, 230, 290, 310] },
      // Placed 75 days ago and never collected: custody window overdue (LEI art. 35).
      { target: "surrender-scheduled", start: 380, offsets: [1, 3, 50, 70, 130, 190, 240, 295, 305] },
      // The formal request never came: released.
      { target: "released", start: 90, offsets: [2, 4] },
      { target: "extradition-refused", start: 260, offsets: [1, 3, 45, 60, 120, 170, 200] },
    ];
    const specs = plan.map((p, i) => {
      const district = districts[i % districts.length]!;
      const charges = [data.treatyCharges.conspiracy, data.treatyCharges.importation];
      if (i % 3 === 0) charges.push(data.treatyCharges.laundering);
      if (i % 4 === 1) charges.push(data.treatyCharges.firearms);
      if (p.capital) charges.push(data.treatyCharges.cceMurder);
      return this.spec(
        [orgs[i % orgs.length]!],
        facilities[i % facilities.length]!,
        ago(Math.max(0, p.start - 3)),
        {
          requestingState: "US",
          requestingAgency: data.requestingAgency,
          type: "provisional-arrest",
          channel: "diplomatic-note",
          diplomaticNote: `DEMO-EUA-${ago(p.start).slice(0, 4)}-${200 + i}`,
          sentOn: ago(p.start + 1),
          receivedOn: ago(p.start),
          court: data.courtOf(district),
          district,
          courtCaseNumber: data.caseNumber(district, Number(ago(p.start).slice(0, 4)) - 1, 200 + i),
          charges,
        },
      );
    });
    const persons = await this.people(specs);
    const caseIds = await this.openCases(
      plan.map((p, i) => ({ track: "treaty", ...persons[i]!, openedOn: ago(p.start) })),
    );
    for (const [i, p] of plan.entries()) {
      const { personId } = persons[i]!;
      const start = ago(p.start);
      const caseId = caseIds[i]!;
      if (p.capital) {
        await this.s.legal.assurances.create({
          actor: a.doj,
          input: ZCreateAssurance.parse({
            kind: "no-death-penalty",
            giver: data.requestingAgency,
            scope: "person",
            personId,
            givenOn: addDays(start, p.offsets[5]! + 5),
            documentRef: `DEMO-DOJ-ASSURANCE-T${i}`,
            status: "given",
          }),
        });
      }
      if (p.target === "treaty-request-received") continue;
      if (p.target === "released") {
        await this.walkTreaty(caseId, start, "provisionally-detained", p.offsets);
        await this.step(
          caseId,
          a.judge,
          "lapse-formal-request",
          at(addDays(start, p.offsets[1]! + 61)),
          "Constitution art. 119; Treaty art. 11(4)",
          "No formal request within 60 days of detention: measures lifted, released",
        );
        continue;
      }
      if (p.target === "extradition-refused") {
        await this.walkTreaty(caseId, start, "awaiting-foreign-ministry-decision", p.offsets);
        await this.step(
          caseId,
          a.liaison,
          "refuse-extradition",
          at(addDays(start, p.offsets[6]!)),
          "LEI art. 14; Treaty art. 9",
          "Mexican national; no exceptional circumstances: to be tried in Mexico",
        );
        continue;
      }
      if (p.target === "amparo-pending") {
        await this.walkTreaty(caseId, start, "extradition-granted", p.offsets);
        const filed = addDays(start, p.offsets[7]!);
        await this.hold(
          personId,
          caseId,
          "amparo",
          filed,
          "Juzgado de Distrito en Materia de Amparo Penal (demo)",
          `Amparo DEMO ${300 + i}/${filed.slice(0, 4)}`,
        );
        await this.step(
          caseId,
          a.judge,
          "file-amparo",
          at(filed),
          "Ley de Amparo art. 17-I",
          "Amparo filed against the grant of extradition; surrender suspended",
        );
        continue;
      }
      await this.walkTreaty(caseId, start, p.target, p.offsets);
    }
  }

  // --- Pending security-transfer requests --------------------------------------------------------

  async pendingTransfers() {
    const { a } = this;
    const ago = (n: number) => this.daysAgo(n);
    const plan: {
      target: string;
      received: number;
      organisation: string;
      hold?: boolean;
      capital?: boolean;
    }[] = [
      { target: "transfer-requested", received: 3, organisation: "CJNG" },
      { target: "transfer-requested", received: 6, organisation: "Sinaloa" },
      { target: "under-analysis", received: 20, organisation: "Golfo" },
      { target: "under-analysis", received: 24, organisation: "Los Cuinis" },
      { target: "proposed-to-council", received: 35, organisation: "Noreste" },
      { target: "council-deferred", received: 45, organisation: "Caballeros Templarios" },
      { target: "council-approved", received: 50, organisation: "Beltrán Leyva", capital: true },
      { target: "ready-for-transfer", received: 55, organisation: "La Familia Michoacana" },
      // An amparo was filed after the person was ready: the planner must leave them out (or the council bypass it).
      { target: "ready-for-transfer", received: 60, organisation: "Zetas", hold: true },
    ];
    const destinations: data.AirportCode[] = ["IAD", "JFK", "IAH", "SAN", "SAT", "PHX", "HPN", "ORD", "PHL"];
    const specs = plan.map((p, i) => {
      const district = data.districtOf[destinations[i]!];
      const charges = [
        ...data.chargesFor(i + 1, toIsoDate(this.now)).filter((c) => !c.capitalEligible),
        ...(p.capital ? [data.treatyCharges.cceMurder] : []),
      ];
      return this.spec(
        [p.organisation],
        (["CEF01", "CEF02", "CEF04", "CEF08", "CEF11"] as const)[i % 5]!,
        ago(500 + i * 40),
        {
          requestingState: "US",
          requestingAgency: data.requestingAgency,
          type: "security-transfer",
          channel: "written-request",
          sentOn: ago(p.received + 1),
          receivedOn: ago(p.received),
          court: data.courtOf(district),
          district,
          courtCaseNumber: data.caseNumber(district, Number(ago(p.received).slice(0, 4)) - 1, 400 + i),
          charges,
        },
      );
    });
    const persons = await this.people(specs);
    const caseIds = await this.openCases(
      plan.map((p, i) => ({ track: "security", ...persons[i]!, openedOn: ago(p.received) })),
    );
    for (const [i, p] of plan.entries()) {
      const { personId } = persons[i]!;
      const received = ago(p.received);
      const caseId = caseIds[i]!;
      const steps: [string, Actor, number, string, string][] = [
        [
          "begin-analysis",
          a.secretariat,
          2,
          "Ley de Seguridad Nacional arts. 12–13",
          "Analysis of the written request",
        ],
        [
          "propose-to-council",
          a.secretariat,
          12,
          "Ley de Seguridad Nacional arts. 12–13",
          "Proposed for transfer",
        ],
        [
          p.target === "council-deferred" ? "defer-transfer" : "approve-transfer",
          a.council,
          20,
          data.councilLegalBasis,
          p.target === "council-deferred"
            ? "Deferred: pending information on a local prosecution"
            : "Transfer approved",
        ],
        [
          "confirm-assurances",
          a.secretariat,
          30,
          "Council decision conditions",
          "No capital charge: no assurance needed",
        ],
        ["mark-ready", a.custody, 35, "Custody readiness", "Ready for the next operation"],
      ];
      const order = [
        "transfer-requested",
        "under-analysis",
        "proposed-to-council",
        "council-approved",
        "assurances-confirmed",
        "ready-for-transfer",
      ];
      const reach =
        p.target === "council-deferred" ? order.indexOf("council-approved") : order.indexOf(p.target);
      // The council's step records its decision (approved or deferred) with it.
      for (const [name, who, offset, basis, reasons] of steps.slice(0, reach)) {
        await this.step(caseId, who, name, at(addDays(received, offset)), basis, reasons);
      }
      if (p.capital) {
        // Capital-eligible: the assurance has been asked for, not yet given, so the case waits at council-approved.
        await this.s.legal.assurances.create({
          actor: a.doj,
          input: ZCreateAssurance.parse({
            kind: "no-death-penalty",
            giver: data.requestingAgency,
            scope: "person",
            personId,
            documentRef: `DEMO-SRE-NOTE-ASSURANCE-${i}`,
            status: "requested",
          }),
        });
      }
      if (p.hold) {
        await this.hold(
          personId,
          caseId,
          "amparo",
          ago(5),
          "Juzgado de Distrito en Materia de Amparo Penal (demo): provisional suspension",
          `Amparo DEMO ${500 + i}/${ago(5).slice(0, 4)}`,
        );
      }
    }
  }

  // --- A third requesting state -------------------------------------------------------------------

  /**
   * Guatemala's extradition requests of Mexico, under their own treaty: one filed by Guatemala's embassy
   * itself, the others logged by the foreign ministry as they arrived. They are Guatemala's and Mexico's
   * matters only: the United States sees none of them, and Guatemala none of the US's.
   */
  async thirdState() {
    const { a } = this;
    const ago = (n: number) => this.daysAgo(n);
    const charges = {
      trafficking: {
        statute: "Ley contra la Narcoactividad (Decreto 48-92)",
        description: "International transit and trafficking of cocaine",
        maximumPenalty: "20 years",
        capitalEligible: false,
      },
      organised: {
        statute: "Ley contra la Delincuencia Organizada (Decreto 21-2006)",
        description: "Conspiracy and unlawful association (organised crime group)",
        maximumPenalty: "8 years",
        capitalEligible: false,
      },
      laundering: {
        statute: "Ley contra el Lavado de Dinero u Otros Activos (Decreto 67-2001)",
        description: "Laundering of money or other assets",
        maximumPenalty: "20 years",
        capitalEligible: false,
      },
    };
    /** state to reach; days ago the matter started; days after it of each step. */
    const plan: { target: string; start: number; offsets: number[] }[] = [
      { target: "treaty-request-received", start: 4, offsets: [] },
      { target: "provisional-arrest-requested", start: 12, offsets: [2] },
      { target: "provisionally-detained", start: 30, offsets: [2, 6] },
      { target: "formal-request-received", start: 80, offsets: [1, 3, 50] },
    ];
    const specs = plan.map((p, i) => ({
      ...this.spec([], (["CEF15", "CEF06", "CEF13"] as const)[i % 3]!, ago(Math.max(0, p.start - 3)), {
        requestingState: "GT",
        requestedState: "MX",
        requestingAgency: "Ministerio Público de Guatemala (via the Ministry of Foreign Affairs)",
        type: "provisional-arrest",
        channel: "diplomatic-note",
        diplomaticNote: `DEMO-GT-${ago(p.start).slice(0, 4)}-${600 + i}`,
        sentOn: ago(p.start + 2),
        receivedOn: ago(p.start),
        court:
          "Juzgado de Primera Instancia Penal, Narcoactividad y Delitos contra el Ambiente, Guatemala (demo)",
        courtCaseNumber: `DEMO-GT-${600 + i}-${ago(p.start).slice(0, 4)}`,
        charges:
          i % 2 === 0 ? [charges.trafficking, charges.organised] : [charges.trafficking, charges.laundering],
      }),
      nationality: "GT",
      idPrefix: "PNC",
    }));
    // The first is filed by the embassy itself; Mexico's foreign ministry logs the others.
    const persons = [
      ...(await this.people(specs.slice(0, 1), a.guatemala)),
      ...(await this.people(specs.slice(1))),
    ];
    const caseIds = await this.openCases(
      plan.map((p, i) => ({ track: "treaty", ...persons[i]!, openedOn: ago(p.start) })),
    );
    const path: [string, Actor, string, string][] = [
      [
        "request-provisional-arrest",
        a.liaison,
        "LEI arts. 16–17",
        "Diplomatic note of the Embassy of Guatemala asking for provisional arrest",
      ],
      [
        "detain-provisionally",
        a.judge,
        "Constitution art. 119; LEI art. 17",
        "Provisional arrest warrant executed",
      ],
      ["receive-formal-request", a.liaison, "LEI art. 19", "Formal request with its documents received"],
    ];
    for (const [i, p] of plan.entries()) {
      for (const [k, [name, who, basis, reasons]] of path.slice(0, p.offsets.length).entries()) {
        await this.step(caseIds[i]!, who, name, at(addDays(ago(p.start), p.offsets[k]!)), basis, reasons);
      }
    }
  }
}
