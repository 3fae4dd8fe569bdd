import { List, Text } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { useFormat } from "../../i18n.ts";
import type { Board, Violation } from "./rules.ts";

/** A broken rule in words, with the people's names and the aircraft's callsign. */
export function useRuleText(board: Board) {
  const { t } = useTranslation("operations");
  const f = useFormat();
  const person = (id: string | undefined) => board.people.find((p) => p.id === id)?.name ?? id ?? "";
  const aircraft = (id: string) => board.fleet.find((a) => a.id === id)?.callsign ?? id;
  return (v: Violation): string => {
    switch (v.rule) {
      case "capacity":
        return t("rule.capacity", {
          aircraft: aircraft(v.aircraftId),
          needed: f.number(v.needed),
          seats: f.number(v.seats),
        });
      case "keep-apart":
        return t("rule.keep-apart", {
          a: person(v.people[0]),
          b: person(v.people[1]),
          aircraft: aircraft(v.aircraftId),
        });
      case "rivals":
        return t("rule.rivals", {
          a: person(v.people[0]),
          b: person(v.people[1]),
          orgA: v.organisations[0],
          orgB: v.organisations[1],
          rivalA: v.rivalry[0],
          rivalB: v.rivalry[1],
          aircraft: aircraft(v.aircraftId),
        });
      case "stops":
        return t("rule.stops", { aircraft: aircraft(v.aircraftId), stops: v.stops, maxStops: v.maxStops });
      case "route":
        return t("rule.route", {
          person: person(v.people[0]),
          destination: v.destination,
          aircraft: aircraft(v.aircraftId),
        });
      case "range":
        return t("rule.range", {
          from: v.from,
          to: v.to,
          aircraft: aircraft(v.aircraftId),
          km: f.number(v.km),
          rangeKm: f.number(v.rangeKm),
        });
      case "unassigned":
        return t("rule.unassigned", { person: person(v.people[0]) });
    }
  };
}

/** The rules broken, one line each. */
export function RuleList({
  board,
  violations,
  testId,
}: {
  board: Board;
  violations: Violation[];
  testId?: string;
}) {
  const text = useRuleText(board);
  return (
    <List size="sm" spacing={4} data-testid={testId}>
      {violations.map(text).map((line) => (
        <List.Item key={line}>
          <Text size="sm" span>
            {line}
          </Text>
        </List.Item>
      ))}
    </List>
  );
}
