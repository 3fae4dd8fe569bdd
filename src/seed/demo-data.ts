/**
 * The demo's data: public facts on Mexico's three security transfers of 2025–2026
 * (`../shared/data/operations-2025-2026.json`: dates, staging airports, destinations, organisations,
 * airports) and fictional people generated deterministically from invented name parts. No real person
 * is named; every demo person is marked `fictional: true` and carries `DEMO-` identifiers.
 *
 * Pure data and pure functions: no database, no clock.
 */

export const administration = { name: "Sheinbaum administration", beganOn: "2024-10-01" } as const;

/** Identical for the three operations so that the tally per legal basis groups them. */
export const operationLegalBasis = "Ley de Seguridad Nacional art. 5 (National Security Council decision)";
/** LSN art. 5 fr. III: acts that prevent the authorities from acting against organised crime. */
export const councilLegalBasis = "Ley de Seguridad Nacional art. 5 fr. III";
export const requestingAgency = "US Department of Justice";
export const receivingAgency = "US Marshals Service";
export const dispatchingAgency = "Secretaría de Seguridad y Protección Ciudadana (SSPC)";

export const airports = {
  NLU: { name: "Felipe Ángeles International (AIFA), Mexico State", lat: 19.74, lon: -99.02 },
  TLC: { name: "Toluca International, Mexico State", lat: 19.34, lon: -99.57 },
  IAD: { name: "Washington Dulles", lat: 38.95, lon: -77.46 },
  IAH: { name: "Houston George Bush Intercontinental", lat: 29.99, lon: -95.34 },
  JFK: { name: "New York John F. Kennedy", lat: 40.64, lon: -73.78 },
  HPN: { name: "Westchester County (White Plains), New York", lat: 41.07, lon: -73.71 },
  PHL: { name: "Philadelphia, Pennsylvania (illustrative for 'Pennsylvania')", lat: 39.87, lon: -75.24 },
  SAT: { name: "San Antonio", lat: 29.53, lon: -98.47 },
  SAN: { name: "San Diego", lat: 32.73, lon: -117.19 },
  PHX: { name: "Phoenix Sky Harbor", lat: 33.43, lon: -112.01 },
  ORD: { name: "Chicago O'Hare", lat: 41.97, lon: -87.91 },
  TKI: { name: "McKinney National, Texas", lat: 33.18, lon: -96.59 },
} as const;
export type AirportCode = keyof typeof airports;

/** Federal prisons (CEFERESO). Codes are this demo's own short codes; no coordinates recorded. */
export const prisons = [
  { code: "CEF01", name: "CEFERESO 1 Altiplano, Almoloya de Juárez, Mexico State" },
  { code: "CEF02", name: "CEFERESO 2 Occidente (Puente Grande), Jalisco" },
  { code: "CEF03", name: "CEFERESO 3 Noreste, Matamoros, Tamaulipas" },
  { code: "CEF04", name: "CEFERESO 4 Noroeste, Tepic, Nayarit" },
  { code: "CEF05", name: "CEFERESO 5 Oriente, Villa Aldama, Veracruz" },
  { code: "CEF06", name: "CEFERESO 6 Sureste, Huimanguillo, Tabasco" },
  { code: "CEF07", name: "CEFERESO 7 Nor-Noroeste, Guadalupe Victoria, Durango" },
  { code: "CEF08", name: "CEFERESO 8 Nor-Poniente, Guasave, Sinaloa" },
  { code: "CEF09", name: "CEFERESO 9 Norte, Ciudad Juárez, Chihuahua" },
  { code: "CEF11", name: "CEFERESO 11 CPS Sonora, Hermosillo" },
  { code: "CEF12", name: "CEFERESO 12 CPS Guanajuato, Ocampo" },
  { code: "CEF13", name: "CEFERESO 13 CPS Oaxaca, Miahuatlán" },
  { code: "CEF14", name: "CEFERESO 14 CPS Durango, Gómez Palacio" },
  { code: "CEF15", name: "CEFERESO 15 CPS Chiapas, Villa Comaltitlán" },
  { code: "CEF17", name: "CEFERESO 17 CPS Michoacán, Buenavista Tomatlán" },
  { code: "CEF18", name: "CEFERESO 18 CPS Coahuila, Ramos Arizpe" },
] as const;
export type PrisonCode = (typeof prisons)[number]["code"];
export const prisonName = (code: PrisonCode) => prisons.find((p) => p.code === code)!.name;

export interface OrganisationData {
  name: string;
  aliases: string[];
  parent?: string;
  notes?: string;
}

export const organisations: OrganisationData[] = [
  { name: "Sinaloa", aliases: ["Cártel de Sinaloa"] },
  { name: "CJNG", aliases: ["Cártel de Jalisco Nueva Generación", "Jalisco"] },
  { name: "Los Cuinis", aliases: [], parent: "CJNG", notes: "Cell aligned with CJNG" },
  { name: "Beltrán Leyva", aliases: ["Cártel de los Beltrán Leyva"] },
  { name: "Noreste", aliases: ["Cártel del Noreste"], notes: "Split from Los Zetas" },
  { name: "Zetas", aliases: ["Los Zetas"] },
  { name: "Golfo", aliases: ["Cártel del Golfo"] },
  { name: "La Familia Michoacana", aliases: [] },
  { name: "Caballeros Templarios", aliases: ["Knights Templar"] },
  { name: "Los Chapitos", aliases: [], parent: "Sinaloa", notes: "Faction of Sinaloa" },
  { name: "La Mayiza", aliases: [], parent: "Sinaloa", notes: "Faction of Sinaloa" },
];

/**
 * Who must never travel with whom. ILLUSTRATIVE: chosen for the demo from widely reported conflicts,
 * not an official assessment. (The organisation service takes rival ids only; the "illustrative" note
 * is written into each organisation's notes.)
 */
export const rivalries: [string, string][] = [
  ["Sinaloa", "CJNG"],
  ["Sinaloa", "Beltrán Leyva"],
  ["Los Chapitos", "La Mayiza"],
  ["Noreste", "Zetas"],
  ["Golfo", "Noreste"],
  ["Golfo", "Zetas"],
  ["Caballeros Templarios", "La Familia Michoacana"],
  ["CJNG", "La Familia Michoacana"],
  ["CJNG", "Caballeros Templarios"],
  ["Los Cuinis", "Sinaloa"],
];
export const rivalryNote = "Rivalries recorded in this demo are illustrative, not an official assessment.";

/** Charging district of each destination (the US district court a person is taken to). */
export const districtOf: Record<AirportCode, string> = {
  NLU: "",
  TLC: "",
  IAD: "DDC",
  IAH: "SD Tex.",
  JFK: "EDNY",
  HPN: "SDNY",
  PHL: "ED Pa.",
  SAT: "WD Tex.",
  SAN: "SD Cal.",
  PHX: "D. Ariz.",
  ORD: "ND Ill.",
  TKI: "ED Tex.",
};
export const courtOf = (district: string) => `US District Court, ${district}`;

export interface AircraftData {
  callsign: string;
  model: string;
  seats: number;
  rangeKm: number;
  /** The route after the staging airport: each stop and how many people leave there. */
  route: [AirportCode, number][];
}

export interface OperationData {
  code: string;
  date: string;
  staging: AirportCode;
  organisations: string[];
  /** The prisons people came from (the JSON gives only their number). */
  prisons: PrisonCode[];
  /** The no-death-penalty assurance: absent in February 2025 (an open risk), operation-scoped later. */
  assurance: { givenOn: string; documentRef: string } | null;
  notes: string;
  aircraft: AircraftData[];
}

const fam = (n: number) => `FAM-DEMO-${String(n).padStart(2, "0")}`;
// Seats for people and guards together (one guard a person, two for a high-risk one), in a cabin set up for
// the transfer; ranges are the types' published ones. Illustrative, as the fleets are.
const b737 = { model: "Boeing 737-800 (Mexican Air Force)", seats: 120, rangeKm: 5400 };
const c295 = { model: "Airbus C295 (Mexican Air Force)", seats: 48, rangeKm: 4500 };
const lj45 = { model: "Learjet 45XR (Mexican Air Force)", seats: 9, rangeKm: 3650 };
const g550 = { model: "Gulfstream G550 (Mexican Air Force)", seats: 19, rangeKm: 12500 };

export const operations: OperationData[] = [
  {
    code: "SEC-2025-02-27",
    date: "2025-02-27",
    staging: "NLU",
    organisations: ["Sinaloa", "Beltrán Leyva", "CJNG", "Noreste", "Golfo", "Zetas", "La Familia Michoacana"],
    prisons: [
      "CEF01",
      "CEF02",
      "CEF03",
      "CEF04",
      "CEF05",
      "CEF06",
      "CEF07",
      "CEF08",
      "CEF09",
      "CEF11",
      "CEF12",
      "CEF14",
    ],
    assurance: null,
    notes:
      "29 people from 12 federal prisons via AIFA to 8 US cities. No death-penalty assurance at the time: the requesting side said it would evaluate capital charges. The number of aircraft was not made public: the fleet and routes here are illustrative.",
    aircraft: [
      {
        callsign: fam(1),
        ...c295,
        route: [
          ["SAT", 3],
          ["IAH", 4],
        ],
      },
      {
        callsign: fam(2),
        ...c295,
        route: [
          ["TKI", 2],
          ["ORD", 4],
        ],
      },
      { callsign: fam(3), ...g550, route: [["PHX", 4]] },
      { callsign: fam(4), ...c295, route: [["IAD", 5]] },
      {
        callsign: fam(5),
        ...b737,
        route: [
          ["JFK", 4],
          ["HPN", 3],
        ],
      },
    ],
  },
  {
    code: "SEC-2025-08-12",
    date: "2025-08-12",
    staging: "NLU",
    organisations: ["Sinaloa", "CJNG", "Los Cuinis", "Caballeros Templarios", "Beltrán Leyva"],
    prisons: ["CEF01", "CEF02", "CEF04", "CEF05", "CEF07", "CEF12", "CEF13", "CEF15", "CEF17"],
    assurance: { givenOn: "2025-08-08", documentRef: "DEMO-DOJ-ASSURANCE-2025-08" },
    notes:
      "26 people from 9 federal prisons via AIFA on 12 military aircraft to New York (White Plains and JFK), San Diego, Phoenix and Washington-Dulles. The US gave a no-death-penalty assurance. Aircraft types and routes are illustrative.",
    aircraft: [
      { callsign: fam(1), ...lj45, route: [["HPN", 3]] },
      { callsign: fam(2), ...lj45, route: [["HPN", 3]] },
      {
        callsign: fam(3),
        ...lj45,
        route: [
          ["HPN", 2],
          ["JFK", 1],
        ],
      },
      { callsign: fam(4), ...lj45, route: [["SAN", 2]] },
      { callsign: fam(5), ...lj45, route: [["SAN", 2]] },
      { callsign: fam(6), ...lj45, route: [["SAN", 1]] },
      { callsign: fam(7), ...lj45, route: [["PHX", 2]] },
      { callsign: fam(8), ...lj45, route: [["PHX", 2]] },
      { callsign: fam(9), ...lj45, route: [["PHX", 2]] },
      { callsign: fam(10), ...lj45, route: [["IAD", 2]] },
      { callsign: fam(11), ...lj45, route: [["IAD", 2]] },
      { callsign: fam(12), ...lj45, route: [["IAD", 2]] },
    ],
  },
  {
    code: "SEC-2026-01-20",
    date: "2026-01-20",
    staging: "TLC",
    organisations: ["Sinaloa", "Beltrán Leyva", "CJNG", "Noreste", "Zetas", "Los Cuinis"],
    prisons: ["CEF01"],
    assurance: { givenOn: "2026-01-15", documentRef: "DEMO-DOJ-ASSURANCE-2026-01" },
    notes:
      "37 people consolidated at Altiplano federal prison, flown from Toluca on 7 Air Force aircraft to Washington, Houston, New York, Pennsylvania, San Antonio and San Diego. The US gave a no-death-penalty assurance. Aircraft types and routes are illustrative.",
    aircraft: [
      { callsign: fam(1), ...g550, route: [["IAD", 4]] },
      { callsign: fam(2), ...g550, route: [["IAD", 4]] },
      {
        callsign: fam(3),
        ...c295,
        route: [
          ["PHL", 4],
          ["JFK", 6],
        ],
      },
      { callsign: fam(4), ...g550, route: [["IAH", 4]] },
      { callsign: fam(5), ...g550, route: [["IAH", 3]] },
      { callsign: fam(6), ...g550, route: [["SAT", 6]] },
      { callsign: fam(7), ...g550, route: [["SAN", 6]] },
    ],
  },
];

/** Destinations of an operation, one entry per person, in aircraft order. */
export function manifestOf(op: OperationData): AirportCode[] {
  return op.aircraft.flatMap((a) => a.route.flatMap(([airport, n]) => Array<AirportCode>(n).fill(airport)));
}

/** The callsign of the aircraft each person flew on, in the order of `manifestOf`. */
export function aircraftOf(op: OperationData): string[] {
  return op.aircraft.flatMap((a) => a.route.flatMap(([, n]) => Array<string>(n).fill(a.callsign)));
}

const parentOf = new Map(organisations.flatMap((o) => (o.parent ? [[o.name, o.parent] as const] : [])));
/** An organisation and its parents: a cell inherits its parent's rivals. */
const lineage = (name: string): string[] => {
  const parent = parentOf.get(name);
  return [name, ...(parent ? lineage(parent) : [])];
};
/** Whether members of the two must never share an aircraft. */
export function rivals(a: string, b: string): boolean {
  const la = lineage(a);
  const lb = lineage(b);
  return rivalries.some(([x, y]) => (la.includes(x) && lb.includes(y)) || (la.includes(y) && lb.includes(x)));
}

/**
 * The organisations of each person of an operation (in the order of `manifestOf`): the operation's
 * organisations in turn, skipping one that is a rival of someone already on that person's aircraft, so
 * that the aircraft flown break no rule. From August 2025 some Sinaloa members belong to one of its
 * factions too; the faction (recorded second) is the one the planner keeps apart.
 */
export function organisationsOf(op: OperationData): string[][] {
  const planes = aircraftOf(op);
  const onBoard = new Map<string, string[]>();
  let next = 0;
  let faction = 0;
  return planes.map((callsign) => {
    const aboard = onBoard.get(callsign) ?? [];
    for (let tries = 0; tries < op.organisations.length; tries++) {
      const name = op.organisations[(next + tries) % op.organisations.length]!;
      const orgs = [name];
      if (name === "Sinaloa" && op.date >= "2025-08-01") {
        const pick = faction % 2 ? "Los Chapitos" : "La Mayiza";
        const other = pick === "Los Chapitos" ? "La Mayiza" : "Los Chapitos";
        orgs.push(aboard.some((x) => x === pick || rivals(pick, x)) ? other : pick);
      }
      const effective = orgs[orgs.length - 1]!;
      if (aboard.some((x) => rivals(effective, x))) continue;
      next = (next + tries + 1) % op.organisations.length;
      if (orgs.length > 1) faction++;
      aboard.push(effective);
      onBoard.set(callsign, aboard);
      return orgs;
    }
    throw new Error(`organisationsOf: no organisation of ${op.code} fits on ${callsign}`);
  });
}

// --- Fictional people ---------------------------------------------------------------------------

// Invented family names (compounds not in use as surnames) so no demo person can be mistaken for a real one.
const familyA = [
  "Pradoverde",
  "Lunarejo",
  "Cerrofino",
  "Valdelirio",
  "Robledal",
  "Solanar",
  "Piedralta",
  "Marañuela",
  "Aguaclarín",
  "Encinosa",
  "Montefrial",
  "Lagoseco",
  "Cañaverdi",
  "Nublado",
  "Arenalta",
  "Tejavana",
  "Olmedillo",
  "Brezal",
  "Quebradilla",
  "Riscoverde",
  "Cardonal",
  "Mezquitán",
  "Salinero",
  "Peñascoso",
];
const familyB = [
  "Ficticio",
  "Inventado",
  "Demostrado",
  "Ejemplar",
  "Supuesto",
  "Figurado",
  "Imaginario",
  "Hipotético",
];
const givenNames = [
  "Aurelio",
  "Bernabé",
  "Casimiro",
  "Delfino",
  "Eleuterio",
  "Fermín",
  "Gumaro",
  "Heriberto",
  "Isauro",
  "Jacinto",
  "Leandro",
  "Macario",
  "Nicasio",
  "Odilón",
  "Prisciliano",
  "Quirino",
  "Rosendo",
  "Saturnino",
  "Teodulo",
  "Ubaldo",
  "Valentín",
  "Wenceslao",
  "Zenón",
  "Abundio",
  "Brígido",
  "Crisóforo",
  "Dimas",
  "Eusebio",
  "Filiberto",
  "Genaro",
  "Hilario",
];
const aliasPool = [
  "El Tejón",
  "El Colibrí",
  "El Mapache",
  "La Garza",
  "El Cenzontle",
  "El Tlacuache",
  "El Armadillo",
  "El Coyotito",
  "El Zanate",
  "El Tecolote",
  "El Gavilán",
  "El Cacomixtle",
];
const roles = [
  "regional leader",
  "financial operator",
  "logistics coordinator",
  "security chief",
  "supplier liaison",
  "plaza boss",
  "transport coordinator",
  "money courier network head",
];

export interface FictionalPerson {
  givenNames: string;
  familyNames: string;
  aliases: string[];
  dateOfBirth: string;
  index: number;
}

/** The n-th fictional person (deterministic; names unique for n < 744, the lcm of 31 and 24). */
export function fictionalPerson(n: number): FictionalPerson {
  const given = givenNames[n % givenNames.length]!;
  const a = familyA[(n * 7) % familyA.length]!;
  // (given name, first family name) is already unique for n < 744; the second family name only adds variety.
  const b = familyB[(n * 3 + Math.floor(n / familyA.length)) % familyB.length]!;
  const year = 1962 + ((n * 13) % 34);
  const month = 1 + ((n * 5) % 12);
  const day = 1 + ((n * 11) % 28);
  return {
    givenNames: given,
    familyNames: `${a} ${b}`,
    aliases: n % 3 === 0 ? [`${aliasPool[(n / 3) % aliasPool.length]} (demo)`] : [],
    dateOfBirth: `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
    index: n,
  };
}

export const roleFor = (n: number) => roles[n % roles.length]!;

export type RiskFlag = "escape-risk" | "violent" | "needs-separation" | "medical" | "high-profile";
export function riskFlagsFor(n: number): RiskFlag[] {
  const flags: RiskFlag[] = [];
  if (n % 4 === 0) flags.push("high-profile");
  if (n % 5 === 1) flags.push("escape-risk");
  if (n % 6 === 2) flags.push("violent");
  if (n % 9 === 4) flags.push("needs-separation");
  if (n % 11 === 7) flags.push("medical");
  return flags;
}

// --- Charges (US statutes) ----------------------------------------------------------------------

export interface ChargeData {
  statute: string;
  description: string;
  maximumPenalty: string;
  capitalEligible: boolean;
  sealed?: boolean;
}

const cce: ChargeData = {
  statute: "21 U.S.C. § 848(a), (b)",
  description: "Engaging in a continuing criminal enterprise (principal administrator)",
  maximumPenalty: "Life imprisonment (mandatory)",
  capitalEligible: false,
};
const conspiracy: ChargeData = {
  statute: "21 U.S.C. § 846",
  description: "Conspiracy to manufacture and distribute cocaine, methamphetamine and fentanyl",
  maximumPenalty: "Life imprisonment",
  capitalEligible: false,
};
const importation: ChargeData = {
  statute: "21 U.S.C. §§ 959, 963",
  description:
    "International conspiracy to manufacture and distribute controlled substances for unlawful importation into the United States",
  maximumPenalty: "Life imprisonment",
  capitalEligible: false,
};
const laundering: ChargeData = {
  statute: "18 U.S.C. § 1956(h)",
  description: "Conspiracy to launder monetary instruments (narcotics proceeds)",
  maximumPenalty: "20 years",
  capitalEligible: false,
};
const firearms: ChargeData = {
  statute: "18 U.S.C. § 924(c)",
  description:
    "Use and carrying of firearms (including machineguns) during and in relation to a drug trafficking crime",
  maximumPenalty: "Life imprisonment",
  capitalEligible: false,
};
const cceMurder: ChargeData = {
  statute: "21 U.S.C. § 848(e)(1)(A)",
  description: "Intentional killing while engaged in a continuing criminal enterprise",
  maximumPenalty: "Death or life imprisonment",
  capitalEligible: true,
};
const vicar: ChargeData = {
  statute: "18 U.S.C. § 1959(a)(1)",
  description: "Murder in aid of racketeering activity",
  maximumPenalty: "Death or life imprisonment",
  capitalEligible: true,
};
const materialSupport: ChargeData = {
  statute: "18 U.S.C. § 2339B",
  description: "Conspiracy to provide material support to a designated foreign terrorist organisation",
  maximumPenalty: "20 years (life if death results)",
  capitalEligible: false,
};
const rico: ChargeData = {
  statute: "18 U.S.C. § 1962(d)",
  description: "Racketeering conspiracy",
  maximumPenalty: "Life imprisonment",
  capitalEligible: false,
};

/**
 * The charges of the n-th person of an operation. Every fourth is capital-eligible (§ 848(e) or
 * § 1959); from August 2025 on, the FTO designations of February 2025 add § 2339B to some.
 */
export function chargesFor(n: number, opDate: string): ChargeData[] {
  const base = [conspiracy, importation];
  if (n % 2 === 0) base.push(cce);
  if (n % 3 === 1) base.push(laundering);
  if (n % 5 === 3) base.push(firearms);
  if (n % 7 === 2) base.push(rico);
  if (opDate >= "2025-08-01" && n % 3 === 0) base.push(materialSupport);
  if (n % 4 === 1) base.push(n % 8 === 1 ? cceMurder : { ...vicar, sealed: true });
  return base;
}

export const treatyCharges = {
  conspiracy,
  importation,
  laundering,
  firearms,
  cceMurder,
  cce,
} as const;

export const caseNumber = (district: string, year: number, n: number) =>
  `DEMO ${district.replace(/[^A-Za-z]/g, "").toUpperCase()} ${year % 100}-cr-${String(100 + n).padStart(5, "0")}`;
