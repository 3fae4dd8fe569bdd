import { Alert, Anchor, Badge, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { ApiError, api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { ErrorAlert, QueryState } from "../../components/QueryState.tsx";
import { type Route, RouteMap } from "../../components/RouteMap.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import {
  airportsOf,
  buildBoard,
  colorOf,
  type OperationFile,
  type Organisations,
  organisationsOf,
  type Places,
  type Plan,
  type PlanAnswer,
  plannable,
} from "./board.ts";
import { useNotify } from "./notify.ts";
import { AddPeople, StatusMoves } from "./OperationFlow.tsx";
import { fetchOperation, operationKey, RequireOperations, statusColor } from "./Operations.tsx";
import { PlannerBoard } from "./PlannerBoard.tsx";
import { RuleList } from "./RuleList.tsx";
import { RunPlanner } from "./RunPlanner.tsx";
import { checkAssignment, type Board as RuleBoard } from "./rules.ts";
import { strings } from "./strings.ts";

addStrings("operations", strings);

export const planKey = (id: string) => ["operation-plan", id] as const;

/** The operation's current plan, or null while it has none (the API answers 404). */
async function fetchPlan(id: string): Promise<PlanAnswer | null> {
  try {
    return await unwrap(api.GET("/api/operations/{id}/plan", { params: { path: { id } } }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}

export default function OperationBoard() {
  return (
    <RequireOperations>
      <OperationPage />
    </RequireOperations>
  );
}

/** The planner board of one operation: its plan, the map of routes, one column per aircraft. */
function OperationPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation("operations");
  const session = useSession();
  const op = useQuery({ queryKey: operationKey(id), queryFn: () => fetchOperation(id) });
  const plan = useQuery({ queryKey: planKey(id), queryFn: () => fetchPlan(id) });
  const organisations = useQuery({
    queryKey: ["organisations", "all"],
    enabled: session.can("organisation:read"),
    queryFn: () => unwrap(api.GET("/api/organisations", { params: { query: { limit: 500 } } })),
  });
  const airports = useQuery({
    queryKey: ["places", "airport"],
    queryFn: () => unwrap(api.GET("/api/places", { params: { query: { kind: "airport", limit: 500 } } })),
  });
  return (
    <Stack>
      <Anchor component={Link} to="/operations" size="sm">
        ← {t("board.back")}
      </Anchor>
      <QueryState query={op}>
        {(o) => (
          <QueryState query={plan}>
            {(p) => (
              <Board
                op={o}
                current={p}
                organisations={organisations.data?.items ?? []}
                airports={airports.data?.items ?? []}
              />
            )}
          </QueryState>
        )}
      </QueryState>
    </Stack>
  );
}

function Board({
  op,
  current,
  organisations,
  airports,
}: {
  op: OperationFile;
  current: PlanAnswer | null;
  organisations: Organisations;
  airports: Places;
}) {
  const { t } = useTranslation("operations");
  const f = useFormat();
  const session = useSession();
  const client = useQueryClient();
  const notify = useNotify();
  const term = useTerm();
  const plan = current?.plan;
  const named = useMemo(() => airportsOf(airports), [airports]);
  const board = useMemo(
    () => buildBoard(op, plan, organisationsOf(organisations), named),
    [op, plan, organisations, named],
  );
  const open = plannable.includes(op.status);
  const canPlan = open && session.can("operation:plan");
  const broken = useMemo(() => (plan ? checkAssignment(board, plan.assignment) : []), [board, plan]);
  const listed = op.people.filter((p) => !p.removedAt);
  const refresh = () =>
    Promise.all([
      client.invalidateQueries({ queryKey: planKey(op.id) }),
      client.invalidateQueries({ queryKey: operationKey(op.id) }),
    ]);
  const adopt = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/operations/{id}/plan/adopt", {
          params: { path: { id: op.id } },
          body: { planId: current?.planId, expectedVersion: op.version },
        }),
      ),
    onSuccess: async () => {
      notify("teal", t("board.adopted"));
      await refresh();
    },
  });
  const release = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/operations/{id}/releases", {
          params: { path: { id: op.id } },
          body: { toParty: op.receivingState },
        }),
      ),
    onSuccess: () => {
      notify("teal", t("board.released", { state: t(`states.${op.receivingState}`, { ns: "common" }) }));
    },
  });
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          <Group gap="sm">
            <Title order={2}>{t("board.heading", { code: op.code })}</Title>
            <Badge color={statusColor[op.status]} variant="filled" autoContrast>
              {term("operationStatus", op.status)}
            </Badge>
          </Group>
          <Text c="dimmed" size="sm">
            {t("board.summary", {
              date: f.date(op.operationDate),
              staging: op.stagingAirport,
              people: f.number(listed.length),
              aircraft: f.number(op.aircraft.length),
            })}
          </Text>
        </Stack>
        <Group gap="xs">
          {plan && (
            <Button
              component="a"
              variant="default"
              href={`/api/operations/${op.id}/plan/manifest?format=pdf`}
              target="_blank"
              rel="noopener"
            >
              {t("board.manifest")}
            </Button>
          )}
          {canPlan && current && current.status !== "adopted" && (
            <Button
              variant="filled"
              onClick={() => adopt.mutate()}
              loading={adopt.isPending}
              disabled={broken.length > 0}
            >
              {t("board.adopt")}
            </Button>
          )}
          {session.can("release:create") && current?.status === "adopted" && op.status !== "cancelled" && (
            <Button variant="default" onClick={() => release.mutate()} loading={release.isPending}>
              {t("board.release", { state: t(`states.${op.receivingState}`, { ns: "common" }) })}
            </Button>
          )}
        </Group>
      </Group>
      {adopt.error && <ErrorAlert error={adopt.error} />}
      {release.error && <ErrorAlert error={release.error} />}
      {session.can("operation:move") && <StatusMoves operation={op} />}
      {canPlan && <RunPlanner operationId={op.id} onPlanned={refresh} />}
      {current && plan ? (
        <PlanSummary current={current} board={board} />
      ) : (
        <Text c="dimmed">{t("board.noPlan")}</Text>
      )}
      {broken.length > 0 && (
        <Alert color="red" title={t("board.breaks", { count: broken.length })} data-testid="plan-violations">
          <RuleList board={board} violations={broken} />
        </Alert>
      )}
      {plan && plan.aircraft.length > 0 && <AircraftMap op={op} plan={plan} board={board} airports={named} />}
      {(plan || listed.length > 0) && (
        <PlannerBoard
          operationId={op.id}
          board={board}
          plan={plan}
          version={current?.version}
          canMove={canPlan && current !== null}
          people={op.people}
          onChanged={refresh}
        />
      )}
      <AddPeople operation={op} />
    </Stack>
  );
}

function PlanSummary({ current, board }: { current: PlanAnswer; board: RuleBoard }) {
  const { t } = useTranslation("operations");
  const f = useFormat();
  const plan = current.plan;
  const name = (id: string) => board.people.find((p) => p.id === id)?.name ?? id;
  return (
    <Paper withBorder p="md" data-testid="plan-summary">
      <Group justify="space-between" mb="xs">
        <Group gap="xs">
          <Title order={3} size="h4">
            {t("board.plan")}
          </Title>
          <Badge variant="outline" color="dark">
            {t(`planStatus.${current.status}`)} · {t("board.version", { version: current.version })}
          </Badge>
          <Badge color={plan.status === "planned" ? "teal.9" : "red.9"} variant="filled" autoContrast>
            {t(`solution.${plan.status}`)}
          </Badge>
        </Group>
        <Badge
          color={plan.provenOptimal ? "teal.9" : "gray.7"}
          variant="filled"
          autoContrast
          data-testid="plan-optimal"
        >
          {plan.provenOptimal ? t("board.provenOptimal") : t("board.notProven")}
        </Badge>
      </Group>
      <SimpleGrid cols={{ base: 2, sm: 4 }}>
        <Figure label={t("board.aircraftUsed")} value={f.number(plan.aircraftUsed)} />
        <Figure label={t("board.lowerBound")} value={f.number(plan.lowerBound)} testId="plan-lower-bound" />
        <Figure label={t("board.distance")} value={t("board.km", { km: f.number(plan.distanceKm) })} />
        <Figure
          label={t("board.elapsed")}
          value={t("board.seconds", { s: f.number(plan.elapsedMs / 1000) })}
        />
      </SimpleGrid>
      <Text size="sm" mt="xs">
        {t("board.boundHint", {
          bound: f.number(plan.lowerBound),
          used: f.number(plan.aircraftUsed),
          binding: t(`board.binding.${plan.bounds.binding}`),
        })}
      </Text>
      {plan.obstacles.length > 0 && (
        <Stack gap={4} mt="sm">
          <Text size="sm" fw={600}>
            {t("run.obstacles")}
          </Text>
          {plan.obstacles.map((o) => (
            <Text size="sm" key={`${o.kind}-${o.message}`}>
              {o.needed !== undefined && o.available !== undefined
                ? t("run.obstacleDetail", {
                    kind: t(`run.obstacle.${o.kind}`),
                    needed: f.number(o.needed),
                    available: f.number(o.available),
                  })
                : t(`run.obstacle.${o.kind}`)}
              {o.people?.length ? ` — ${o.people.map(name).join(", ")}` : ""}
            </Text>
          ))}
        </Stack>
      )}
      {plan.suggestions.length > 0 && (
        <Stack gap={4} mt="sm">
          <Text size="sm" fw={600}>
            {t("run.suggestions")}
          </Text>
          {plan.suggestions.map((s) => (
            <Text size="sm" key={s.message}>
              {s.kind === "add-aircraft"
                ? t("run.addAircraft", {
                    count: s.count,
                    seats: f.number(s.seats),
                    maxStops: f.number(s.maxStops),
                    staging: s.staging,
                  })
                : t("run.separate", { people: s.people.map(name).join(", ") })}
            </Text>
          ))}
        </Stack>
      )}
    </Paper>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text fz="xl" fw={700} data-testid={testId}>
        {value}
      </Text>
    </div>
  );
}

/** Each aircraft's legs; a leg's width by the people still on board. */
function AircraftMap({
  op,
  plan,
  board,
  airports,
}: {
  op: OperationFile;
  plan: Plan;
  board: RuleBoard;
  airports: ReturnType<typeof airportsOf>;
}) {
  const { t } = useTranslation("operations");
  const routes: Route[] = [];
  for (const a of plan.aircraft) {
    const index = board.fleet.findIndex((x) => x.id === a.aircraftId);
    for (let k = 1; k < a.route.length; k++) {
      const from = airports.get(a.route[k - 1] ?? "");
      const to = airports.get(a.route[k] ?? "");
      if (!from || !to) continue;
      routes.push({
        from,
        to,
        people: a.manifest.filter((m) => m.stop >= k).length,
        label: a.name ?? board.fleet[index]?.callsign ?? a.aircraftId,
        color: colorOf(Math.max(0, index)),
      });
    }
  }
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("board.map")}
      </Title>
      <RouteMap routes={routes} title={t("board.mapTitle", { code: op.code, staging: op.stagingAirport })} />
    </Paper>
  );
}
