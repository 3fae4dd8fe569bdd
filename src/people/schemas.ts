import { z } from "zod";
import { affiliations, organisations, people, rivalries } from "../db/schema.ts";
import { AText, AUuid, aList, aText, pageSchema, rowSchema } from "../http/answers.ts";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { text, ZDay, ZPageQuery, ZPastDay, ZShort, ZText, ZUuid } from "../http/schemas.ts";

export const riskFlags = ["escape-risk", "violent", "needs-separation", "medical", "high-profile"] as const;

export const ZAffiliation = z
  .strictObject({
    organisationId: ZUuid,
    role: ZShort.optional(),
    fromOn: ZDay.optional(),
    toOn: ZDay.optional(),
    /** The one affiliation the tally by primary affiliation counts the person under (at most one). */
    primary: z.boolean().default(false),
  })
  .superRefine(
    crossCheck((a, ctx) => {
      if (a.fromOn && a.toOn && a.toOn < a.fromOn)
        ctx.addIssue({ code: "custom", path: ["toOn"], message: "must not be before fromOn" });
    }),
    crossChecked,
  );
export type Affiliation = z.infer<typeof ZAffiliation>;

/** A person's affiliations: at most one primary. */
const ZAffiliations = z
  .array(ZAffiliation)
  .max(20)
  .default([])
  .superRefine(
    crossCheck((list, ctx) => {
      const primaries = list.flatMap((a, i) => (a.primary ? [i] : []));
      for (const i of primaries.slice(1))
        ctx.addIssue({
          code: "custom",
          path: [i, "primary"],
          message: `only one primary affiliation (affiliations[${primaries[0]}] is)`,
        });
    }),
    crossChecked,
  );

export const ZCreatePerson = z.strictObject({
  givenNames: ZShort,
  familyNames: ZShort,
  aliases: z.array(ZShort).max(50).default([]),
  dateOfBirth: ZPastDay.optional(),
  nationalities: z
    .array(
      z
        .string()
        .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
        .meta({ maxLength: 2 }),
    )
    .max(20)
    .default([]),
  identifiers: z
    .array(
      z.strictObject({
        kind: z.enum([
          "national-id",
          "curp",
          "requesting-state-id",
          "fbi-number",
          "interpol-notice",
          "passport",
          "other",
        ]),
        value: ZShort,
      }),
    )
    .max(50)
    .default([]),
  photoRef: ZShort.optional(),
  riskFlags: z.array(z.enum(riskFlags)).max(riskFlags.length).default([]),
  custodyFacility: ZShort.optional(),
  custodySince: ZPastDay.optional(),
  affiliations: ZAffiliations,
  fictional: z.boolean().default(false),
});
export type CreatePerson = z.infer<typeof ZCreatePerson>;

export const ZListPeople = ZPageQuery.extend({
  q: text(100).optional(),
  organisationId: ZUuid.optional(),
  riskFlag: z.enum(riskFlags).optional(),
  custodyFacility: text(200, { required: false, trim: false }).optional(),
});
export type ListPeople = z.infer<typeof ZListPeople>;

export const ZCreateOrganisation = z.strictObject({
  name: ZShort,
  aliases: z.array(ZShort).max(50).default([]),
  parentId: ZUuid.optional(),
  notes: ZText.optional(),
  /** Organisations this one must never travel with. */
  rivalIds: z.array(ZUuid).max(100).default([]),
});
export type CreateOrganisation = z.infer<typeof ZCreateOrganisation>;

export const ZAddRivalry = z.strictObject({
  /** The organisation that becomes this one's rival (symmetric: each is the other's rival). */
  rivalId: ZUuid,
  /** Why, as the analysts know it (a split, a war over a plaza…). */
  reason: ZText.optional(),
});
export type AddRivalry = z.infer<typeof ZAddRivalry>;

export const ZListOrganisations = ZPageQuery.extend({
  q: text(100).optional(),
  parentId: ZUuid.optional(),
});
export type ListOrganisations = z.infer<typeof ZListOrganisations>;

/** Affiliations added to a person already recorded. */
export const ZAddAffiliations = z.strictObject({
  affiliations: ZAffiliations.refine((list) => list.length > 0, "at least one"),
});
export type AddAffiliations = z.infer<typeof ZAddAffiliations>;

// Answers (documentation, checked in the tests: src/http/answers.ts)

export const AAffiliation = rowSchema(affiliations, { role: aText(200) }).meta({
  id: "Affiliation",
});

export const APerson = rowSchema(people, {
  givenNames: aText(200),
  familyNames: aText(200),
  aliases: aList(aText(200), 50),
  nationalities: aList(aText(2), 20),
  identifiers: aList(
    z.strictObject({
      kind: ZCreatePerson.shape.identifiers.unwrap().element.shape.kind,
      value: aText(200),
    }),
    50,
  ),
  riskFlags: aList(z.enum(riskFlags), riskFlags.length),
})
  .extend({
    affiliations: aList(AAffiliation, 1000),
    /** With a search (`q`): 1 for an identifier matched exactly, else the name's similarity (0–1). */
    score: z.number().min(0).max(1).optional(),
    matchedBy: z.enum(["identifier", "name"]).optional(),
  })
  .meta({ id: "Person", description: "A person, with the affiliations the reader may see" });
export const APersonPage = pageSchema(APerson, "PersonPage");

export const ARivalry = rowSchema(rivalries).meta({
  id: "Rivalry",
  description: "Two rival organisations, stored once with orgA < orgB",
});

export const AOrganisation = rowSchema(organisations, {
  name: aText(200),
  aliases: aList(aText(200), 50),
})
  .extend({
    /** The organisation's rivals (both sides of each rivalry). */
    rivalIds: aList(AUuid, 10_000),
    /** Each rival with the reason recorded; absent in the answer of a create. */
    rivalries: aList(z.strictObject({ organisationId: AUuid, reason: AText.nullable() }), 10_000).optional(),
  })
  .meta({ id: "Organisation" });
export const AOrganisationPage = pageSchema(AOrganisation, "OrganisationPage");
