import { describe, expect, it } from "vitest";
import { emptyIntake, fieldOfIssue, intakeBody } from "./intake.ts";

const filled = {
  ...emptyIntake,
  givenNames: "José Ángel",
  familyNames: "Pérez Gómez",
  aliases: " El Güero ,  ,Pepe",
  requestingAgency: "US Department of Justice",
  diplomaticNote: "  ",
  court: "US District Court, WD Tex.",
  charges: [
    { statute: "21 U.S.C. § 846", description: "Conspiracy", maximumPenalty: "", capitalEligible: false },
    { statute: "21 U.S.C. § 848(e)", description: "Killing", maximumPenalty: "Death", capitalEligible: true },
  ],
};

describe("the intake form's request", () => {
  it("leaves blank optional fields out, splits the aliases, keeps every charge row in order", () => {
    const body = intakeBody(filled, "MX");
    expect(body.person?.aliases).toEqual(["El Güero", "Pepe"]);
    expect(body).not.toHaveProperty("diplomaticNote");
    expect(body.person).not.toHaveProperty("dateOfBirth");
    expect(body.court).toBe("US District Court, WD Tex.");
    expect(body.charges.map((c) => c.statute)).toEqual(["21 U.S.C. § 846", "21 U.S.C. § 848(e)"]);
    expect(body.charges[0]).not.toHaveProperty("maximumPenalty");
    expect(body.charges[1]).toMatchObject({ maximumPenalty: "Death", capitalEligible: true });
  });

  it("files for the officer's own state when a requesting state files it, else for the state chosen", () => {
    expect(intakeBody({ ...filled, requestingState: "GT" }, "US").requestingState).toBe("US");
    expect(intakeBody({ ...filled, requestingState: "GT" }, "MX").requestingState).toBe("GT");
  });

  it("puts each API issue on the form field it names", () => {
    expect(fieldOfIssue("charges[1].statute")).toBe("charges.1.statute");
    expect(fieldOfIssue("person.familyNames")).toBe("familyNames");
    expect(fieldOfIssue("diplomaticNote")).toBe("diplomaticNote");
  });
});
