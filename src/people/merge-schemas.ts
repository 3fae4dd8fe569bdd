import { z } from "zod";
import { personMerges } from "../db/schema.ts";
import { AUuid, aList, aText, rowSchema } from "../http/answers.ts";
import { ZText, ZUuid } from "../http/schemas.ts";
import { ZCreatePerson } from "./schemas.ts";

export const ZMergePerson = z.strictObject({
  /** The record that survives: the person in the path is merged into it. */
  into: ZUuid,
  /** Why these two records are one person (the warrant, the fingerprints…): kept in the audit chain. */
  reason: ZText,
});
export type MergePerson = z.infer<typeof ZMergePerson>;

export const ZUndoMerge = z.strictObject({ reason: ZText });
export type UndoMerge = z.infer<typeof ZUndoMerge>;

export const APersonMerge = rowSchema(personMerges, {
  reason: aText(2000),
  status: z.enum(["active", "undone"]),
  undoneReason: aText(2000).nullable(),
  moved: z.strictObject({
    rows: aList(
      z.strictObject({
        entity: aText(40),
        id: AUuid,
        versionAfter: z.number().int().min(1),
        /** The values the merge changed on the row (its person, a primary flag, a keep-apart list). */
        before: z.record(z.string().max(40), z.unknown()),
      }),
      100_000,
    ),
    mergedVersionAfter: z.number().int().min(1),
    addedAliases: aList(aText(200), 100),
    addedIdentifiers: aList(
      z.strictObject({
        kind: ZCreatePerson.shape.identifiers.unwrap().element.shape.kind,
        value: aText(200),
      }),
      100,
    ),
  }),
}).meta({
  id: "PersonMerge",
  description: "Two records of one person merged: what moved to the survivor, to undo it",
});
