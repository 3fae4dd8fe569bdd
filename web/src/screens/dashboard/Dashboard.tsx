import {
  Anchor,
  Badge,
  Group,
  Paper,
  SegmentedControl,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { LazyBreakdown as Breakdown } from "../../components/LazyBreakdown.tsx";
import { QueryState } from "../../components/QueryState.tsx";
import { type Airport, type Route, RouteMap } from "../../components/RouteMap.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("dashboard", strings);

/** The running totals: the landing page's first read (`main.tsx` starts it beside the session's). */
export const statsQuery = { queryKey: ["stats"], queryFn: () => unwrap(api.GET("/api/stats")) };

/** The running totals, a map of the operations, the deadlines due and overdue, and the open risks. */
export default function Dashboard() {
  const { t } = useTranslation("dashboard");
  const f = useFormat();
  const session = useSession();
  const stats = useQuery(statsQuery);
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      <QueryState query={stats}>
        {(s) => (
          <>
            <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
              <Paper withBorder p="md">
                <Text size="sm" c="dimmed">
                  {t("total")}
                </Text>
                <Text fz={48} fw={700} lh={1.1} data-testid="total-sent">
                  {f.number(s.total)}
                </Text>
                <Text size="xs" c="dimmed">
                  {t("totalHint")}
                </Text>
              </Paper>
              {s.operations.map((o) => (
                <Paper withBorder p="md" key={o.id}>
                  <Text size="sm" c="dimmed">
                    {o.code} · {f.date(o.date)}
                  </Text>
                  <Text fz={32} fw={700}>
                    {o.people === null ? t("suppressed") : f.number(o.people)}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {t("aircraft", { count: o.aircraft })} · {o.destinations.join(", ")}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
            {session.can("operation:read") && <OperationsMap />}
            <SimpleGrid cols={{ base: 1, md: 2 }}>
              <Breakdown
                title={t("byOperation")}
                label={t("people")}
                withheld={t("suppressed")}
                rows={s.operations.map((o) => ({ key: o.code, people: o.people }))}
              />
              <Breakdown
                title={t("byDestination")}
                label={t("people")}
                withheld={t("suppressed")}
                rows={s.destinations}
              />
              <Breakdown
                title={t("byOrganisation")}
                label={t("people")}
                withheld={t("suppressed")}
                rows={s.primaryOrganisations}
              />
              <Breakdown
                title={t("byAdministration")}
                label={t("people")}
                withheld={t("suppressed")}
                rows={s.administrations}
              />
              <Breakdown
                title={t("byLegalBasis")}
                label={t("people")}
                withheld={t("suppressed")}
                rows={s.legalBases}
              />
            </SimpleGrid>
          </>
        )}
      </QueryState>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        {session.can("deadline:read") && <Deadlines />}
        {session.can("case:read") && <Risks />}
      </SimpleGrid>
    </Stack>
  );
}

/** Staging airport → destination, per operation (or all), line width by people. */
function OperationsMap() {
  const { t } = useTranslation("dashboard");
  const [which, setWhich] = useState("all");
  const operations = useQuery({
    queryKey: ["operations", "all"],
    queryFn: () => unwrap(api.GET("/api/operations", { params: { query: { limit: 500 } } })),
  });
  const airports = useQuery({
    queryKey: ["places", "airport"],
    queryFn: () => unwrap(api.GET("/api/places", { params: { query: { kind: "airport", limit: 500 } } })),
  });
  const chosen = operations.data?.items.filter((o) => which === "all" || o.id === which) ?? [];
  const details = useQuery({
    queryKey: ["operation-routes", chosen.map((o) => o.id)],
    enabled: chosen.length > 0,
    queryFn: () =>
      Promise.all(
        chosen.map((o) => unwrap(api.GET("/api/operations/{id}", { params: { path: { id: o.id } } }))),
      ),
  });
  const byCode = new Map<string, Airport>(
    (airports.data?.items ?? [])
      .filter((a) => a.lat != null && a.lon != null)
      .map((a) => [a.code, { code: a.code, name: a.name, lat: a.lat as number, lon: a.lon as number }]),
  );
  const counts = new Map<string, number>();
  for (const op of details.data ?? [])
    for (const p of op.people)
      if (!p.removedAt) {
        const key = `${op.stagingAirport}>${p.destinationAirport}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
  const routes: Route[] = [];
  for (const [key, people] of counts) {
    const [from, to] = key.split(">");
    const a = byCode.get(from ?? "");
    const b = byCode.get(to ?? "");
    if (a && b) routes.push({ from: a, to: b, people });
  }
  const label = which === "all" ? t("allOperations") : (chosen[0]?.code ?? "");
  return (
    <Paper withBorder p="md">
      <Group justify="space-between" mb="sm">
        <Title order={3} size="h4">
          {t("map")}
        </Title>
        <SegmentedControl
          size="xs"
          value={which}
          onChange={setWhich}
          aria-label={t("map")}
          data={[
            { value: "all", label: t("allOperations") },
            ...(operations.data?.items ?? []).map((o) => ({ value: o.id, label: o.code })),
          ]}
        />
      </Group>
      <RouteMap routes={routes} title={t("mapTitle", { which: label })} />
    </Paper>
  );
}

function Deadlines() {
  const { t } = useTranslation("dashboard");
  const term = useTerm();
  const f = useFormat();
  const overdue = useQuery({
    queryKey: ["deadlines", "overdue"],
    queryFn: () => unwrap(api.GET("/api/deadlines", { params: { query: { status: "overdue", limit: 50 } } })),
  });
  const upcoming = useQuery({
    queryKey: ["deadlines", "upcoming"],
    queryFn: () =>
      unwrap(
        api.GET("/api/deadlines", { params: { query: { status: "upcoming", withinDays: 30, limit: 50 } } }),
      ),
  });
  // Both reads shown as one: loading until both are in, and either's failure shown (with its retry).
  const both = {
    isPending: overdue.isPending || upcoming.isPending,
    error: overdue.error ?? upcoming.error,
    data: overdue.data && upcoming.data && [...overdue.data.items, ...upcoming.data.items],
    refetch: () => Promise.all([overdue.error && overdue.refetch(), upcoming.error && upcoming.refetch()]),
  };
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("deadlines")}
      </Title>
      <QueryState query={both}>
        {(rows) =>
          rows.length === 0 ? (
            <Text c="dimmed">{t("noDeadlines")}</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("person")}</Table.Th>
                  <Table.Th>{t("kind")}</Table.Th>
                  <Table.Th>{t("due")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((d) => (
                  <Table.Tr key={d.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/cases/${d.case.id}`}>
                        {d.person.name}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>{term("deadline", d.kind)}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" wrap="nowrap">
                        <Badge
                          color={d.status === "overdue" ? "red.9" : "yellow"}
                          variant="filled"
                          autoContrast
                        >
                          {d.status === "overdue" ? t("overdue") : t("upcoming")}
                        </Badge>
                        <Text size="sm">
                          {f.date(d.dueOn)} ({f.relative(d.dueOn)})
                        </Text>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Paper>
  );
}

function Risks() {
  const { t } = useTranslation("dashboard");
  const term = useTerm();
  const cases = useQuery({
    queryKey: ["cases", "open-risk"],
    queryFn: () => unwrap(api.GET("/api/cases", { params: { query: { openRisk: "true", limit: 100 } } })),
  });
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("risks")}
      </Title>
      <QueryState query={cases}>
        {(c) =>
          c.items.length === 0 ? (
            <Text c="dimmed">{t("noRisks")}</Text>
          ) : (
            <Table striped>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>{t("state")}</Table.Th>
                  <Table.Th>{t("risk")}</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {c.items.map((k) => (
                  <Table.Tr key={k.id}>
                    <Table.Td>
                      <Anchor component={Link} to={`/cases/${k.id}`}>
                        {term("state", k.state)}
                      </Anchor>
                    </Table.Td>
                    <Table.Td>
                      {k.openRisks.map((r) => (
                        <Text size="sm" key={r.code}>
                          {term("risk", r.code)}
                        </Text>
                      ))}
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )
        }
      </QueryState>
    </Paper>
  );
}
