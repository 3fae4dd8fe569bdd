/**
 * The intake form's logic, apart from its drawing: its empty values, the API body its values make, and
 * which of its fields an API issue names.
 */
import type { paths } from "../../api/schema";

type CreateRequest = paths["/api/requests"]["post"]["requestBody"] extends
  | { content: { "application/json": infer B } }
  | undefined
  ? B
  : never;

export const emptyCharge = { statute: "", description: "", maximumPenalty: "", capitalEligible: false };
export const emptyIntake = {
  givenNames: "",
  familyNames: "",
  aliases: "",
  dateOfBirth: "",
  custodyFacility: "",
  requestingState: "US",
  requestingAgency: "",
  type: "security-transfer",
  channel: "diplomatic-note",
  diplomaticNote: "",
  sentOn: "",
  receivedOn: "",
  court: "",
  district: "",
  courtCaseNumber: "",
  treaty: "us-mx-1978",
  charges: [emptyCharge],
};
export type Intake = typeof emptyIntake;

/**
 * The request the form's values make: blank optional fields left out (the API refuses an empty string),
 * aliases split at commas, and the requesting state the officer's own when a requesting state files it.
 */
export function intakeBody(v: Intake, ownParty: string | undefined): CreateRequest {
  const text = (s: string) => (s.trim() ? s.trim() : undefined);
  const optional = <K extends string>(key: K, value: string) => (text(value) ? { [key]: text(value) } : {});
  return {
    person: {
      givenNames: v.givenNames,
      familyNames: v.familyNames,
      aliases: v.aliases
        .split(",")
        .map((a) => a.trim())
        .filter(Boolean),
      ...optional("dateOfBirth", v.dateOfBirth),
      ...optional("custodyFacility", v.custodyFacility),
    },
    requestingState: ownParty && ownParty !== "MX" ? ownParty : v.requestingState,
    requestingAgency: v.requestingAgency,
    type: v.type as CreateRequest["type"],
    channel: v.channel as CreateRequest["channel"],
    ...optional("diplomaticNote", v.diplomaticNote),
    ...optional("sentOn", v.sentOn),
    ...optional("receivedOn", v.receivedOn),
    ...optional("court", v.court),
    ...optional("district", v.district),
    ...optional("courtCaseNumber", v.courtCaseNumber),
    treaty: v.treaty as NonNullable<CreateRequest["treaty"]>,
    charges: v.charges.map((c) => ({
      statute: c.statute,
      description: c.description,
      ...optional("maximumPenalty", c.maximumPenalty),
      capitalEligible: c.capitalEligible,
    })),
  };
}

/**
 * The form field an API issue names: `charges[0].statute` → `charges.0.statute`; the person's fields
 * (`person.familyNames`) are the form's own.
 */
export function fieldOfIssue(apiField: string): string {
  return apiField.replace(/\[(\d+)\]/g, ".$1").replace(/^person\./, "");
}
