import { z } from "zod";
import { sharedStatuses } from "../cases/tracks.ts";
import { treatyById, treatyIds } from "../cases/treaty-parameters.ts";
import { charges, requests } from "../db/schema.ts";
import { ADay, AParty, AUuid, aList, aText, pageSchema, rowSchema } from "../http/answers.ts";
import { crossCheck, crossChecked } from "../http/cross-check.ts";
import { ZDay, ZPageQuery, ZParty, ZShort, ZText, ZUuid } from "../http/schemas.ts";
import { ZCreatePerson } from "../people/schemas.ts";

export const requestTypes = [
  "provisional-arrest",
  "formal-extradition",
  "security-transfer",
  "temporary-surrender",
] as const;
export const channels = ["diplomatic-note", "written-request", "interpol", "other"] as const;

export const ZCharge = z.strictObject({
  statute: ZShort,
  description: ZText,
  maximumPenalty: ZShort.optional(),
  /** Whether the offence can carry the death penalty in the requesting state (treaty art. 8). */
  capitalEligible: z.boolean().default(false),
  sealed: z.boolean().default(false),
});
export type Charge = z.infer<typeof ZCharge>;

export const ZCreateRequest = z
  .strictObject({
    /** The person requested: an existing person, or a new one described here. */
    personId: ZUuid.optional(),
    /** A new person, with their affiliations. */
    person: ZCreatePerson.optional(),
    /**
     * Record the new `person` even when people already recorded are likely the same one (409
     * LIKELY_DUPLICATE lists them otherwise): the caller has looked and they are not.
     */
    allowDuplicate: z.boolean().optional(),
    requestingState: ZParty,
    requestingAgency: ZShort,
    type: z.enum(requestTypes),
    channel: z.enum(channels),
    diplomaticNote: ZShort.optional(),
    sentOn: ZDay.optional(),
    receivedOn: ZDay.optional(),
    court: ZShort.optional(),
    district: ZShort.optional(),
    courtCaseNumber: ZShort.optional(),
    /** The extradition treaty between the two states; defaults to the one known with the requesting state. */
    treaty: z.enum(treatyIds).optional(),
    /**
     * The state asked to surrender the person. When the requested state logs the request, it is that state;
     * when the requesting state files it, the other party of the treaty unless given.
     */
    requestedState: ZParty.optional(),
    charges: z.array(ZCharge).min(1, "at least one charge is required").max(100),
  })
  .superRefine(
    crossCheck((r, ctx) => {
      if (!r.personId === !r.person) {
        ctx.addIssue({
          code: "custom",
          path: ["personId"],
          message: "give exactly one of personId or person",
        });
      }
      if (r.channel === "diplomatic-note" && !r.diplomaticNote) {
        ctx.addIssue({
          code: "custom",
          path: ["diplomaticNote"],
          message: "required when channel is diplomatic-note",
        });
      }
      if (r.sentOn && r.receivedOn && r.receivedOn < r.sentOn) {
        ctx.addIssue({ code: "custom", path: ["receivedOn"], message: "must not be before sentOn" });
      }
      if (r.requestedState && r.requestedState === r.requestingState) {
        ctx.addIssue({
          code: "custom",
          path: ["requestedState"],
          message: "must differ from requestingState",
        });
      }
      const treaty = treatyById(r.treaty);
      if (treaty && typeof r.requestingState === "string" && !treaty.parties.includes(r.requestingState)) {
        ctx.addIssue({
          code: "custom",
          path: ["treaty"],
          message: `${r.requestingState} is not a party to ${treaty.id}`,
        });
      }
    }),
    crossChecked,
  );
export type CreateRequest = z.infer<typeof ZCreateRequest>;

export const ZListRequests = ZPageQuery.extend({
  personId: ZUuid.optional(),
  type: z.enum(requestTypes).optional(),
  requestingState: ZParty.optional(),
  receivedFrom: ZDay.optional(),
  receivedTo: ZDay.optional(),
});
export type ListRequests = z.infer<typeof ZListRequests>;

// Answers (documentation, checked in the tests: src/http/answers.ts)

export const ACharge = rowSchema(charges, {
  statute: aText(200),
  maximumPenalty: aText(200),
}).meta({ id: "Charge" });

export const ARequest = rowSchema(requests, {
  requestingState: AParty,
  requestingAgency: aText(200),
  type: z.enum(requestTypes),
  channel: z.enum(channels),
  treaty: z.enum(treatyIds),
  requestedState: AParty,
})
  .extend({
    charges: aList(ACharge, 100),
    /**
     * What the requested state has told of the case of this request (null before a case is opened); absent
     * in the answer of a create.
     */
    caseStatus: z
      .strictObject({ requestId: AUuid, status: z.enum(sharedStatuses), since: ADay })
      .nullable()
      .optional(),
  })
  .meta({ id: "Request" });
export const ARequestPage = pageSchema(ARequest, "RequestPage");
