import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  List,
  Modal,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { notifications } from "@mantine/notifications";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type Answer, ApiError, api, unwrap } from "../../api/client.ts";
import { QueryState, RefusalAlert, useErrorText } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("cases", strings);

type CaseFile = Answer<"/api/cases/{id}", "get">;
type TrackGraph = Answer<"/api/tracks", "get">["tracks"][number];

/** A case: its state diagram, the steps the user may take (and why one is blocked), deadlines, history. */
export default function CasePage() {
  const { id = "" } = useParams();
  const { t } = useTranslation("cases");
  const term = useTerm();
  const kase = useQuery({
    queryKey: ["case", id],
    queryFn: () => unwrap(api.GET("/api/cases/{id}", { params: { path: { id } } })),
  });
  const tracks = useQuery({
    queryKey: ["tracks"],
    queryFn: () => unwrap(api.GET("/api/tracks")),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const person = useQuery({
    queryKey: ["person", kase.data?.personId],
    enabled: Boolean(kase.data?.personId),
    queryFn: () =>
      unwrap(api.GET("/api/people/{id}", { params: { path: { id: kase.data?.personId ?? "" } } })),
  });
  return (
    <QueryState query={kase}>
      {(c) => {
        const graph = tracks.data?.tracks.find((g) => g.track === c.track);
        return (
          <Stack>
            <Group justify="space-between">
              <div>
                <Text size="sm" c="dimmed">
                  {term("track", c.track)}
                </Text>
                <Title order={2}>
                  {person.data ? (
                    <Anchor component={Link} to={`/people/${c.personId}`} inherit>
                      {person.data.givenNames} {person.data.familyNames}
                    </Anchor>
                  ) : (
                    t("case")
                  )}
                </Title>
              </div>
              <Badge size="lg" variant="filled" data-testid="case-state">
                {term("state", c.state)}
              </Badge>
            </Group>
            {c.openRisks.map((r) => (
              <Alert key={r.code} color="red" title={t("risks")}>
                {term("risk", r.code)}
              </Alert>
            ))}
            <Grid>
              <Grid.Col span={{ base: 12, md: 4 }}>
                {graph && <StateDiagram graph={graph} kase={c} />}
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 8 }}>
                <Stack>
                  {graph && <Actions graph={graph} kase={c} />}
                  <Deadlines kase={c} />
                  <Record kase={c} />
                </Stack>
              </Grid.Col>
            </Grid>
          </Stack>
        );
      }}
    </QueryState>
  );
}

/** The track's states in order: the current one marked, the ones a step leads to from it outlined. */
function StateDiagram({ graph, kase }: { graph: TrackGraph; kase: CaseFile }) {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const next = new Set(graph.transitions.filter((x) => x.from.includes(kase.state)).map((x) => x.to));
  const passed = new Set<string>(kase.history.map((h) => h.fromState));
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("diagram")}
      </Title>
      <ol style={{ listStyle: "none", padding: 0, margin: 0 }} aria-label={t("diagram")}>
        {graph.states.map((s) => {
          const current = s.name === kase.state;
          return (
            <li key={s.name} aria-current={current ? "step" : undefined} style={{ marginBottom: 4 }}>
              <Badge
                fullWidth
                size="lg"
                radius="sm"
                variant={current ? "filled" : next.has(s.name) ? "outline" : "default"}
                color={current ? undefined : next.has(s.name) ? "teal.9" : "gray"}
                styles={{ label: { textTransform: "none", fontWeight: current ? 700 : 500 } }}
                c={current ? undefined : passed.has(s.name) ? "dark" : undefined}
              >
                {term("state", s.name)}
                {current ? ` · ${t("current")}` : next.has(s.name) ? ` · ${t("next")}` : ""}
              </Badge>
            </li>
          );
        })}
      </ol>
    </Paper>
  );
}

/**
 * The steps out of the current state, as the server's dry run weighs them for this user now
 * (`GET /api/cases/{id}/transitions`: the same checks as taking the step): the allowed ones as buttons,
 * each blocked one with its reasons in words.
 */
function Actions({ graph, kase }: { graph: TrackGraph; kase: CaseFile }) {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const f = useFormat();
  const [taking, setTaking] = useState<TrackGraph["transitions"][number] | null>(null);
  const steps = useQuery({
    queryKey: ["case", kase.id, "steps", kase.version],
    queryFn: () => unwrap(api.GET("/api/cases/{id}/transitions", { params: { path: { id: kase.id } } })),
  });
  const reasonText = (r: { code: string; params?: Record<string, unknown> }) => {
    const p = (r.params ?? {}) as Record<string, unknown>;
    return t(`reason.${r.code}`, {
      defaultValue: r.code,
      roles: ((p.roles as string[] | undefined) ?? [])
        .map((x) => t(`roles.${x}`, { ns: "common" }))
        .join(", "),
      kinds: ((p.holds as { kind: string }[] | undefined) ?? []).map((h) => h.kind).join(", "),
      operationCode: String(p.operationCode ?? ""),
      deadline: p.deadline ? term("deadline", String(p.deadline)) : "",
      dueOn: p.dueOn ? f.date(String(p.dueOn)) : "",
    });
  };
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("actions")}
      </Title>
      <QueryState query={steps}>
        {(s) => {
          const allowed = s.transitions.filter((x) => x.allowed);
          const blocked = s.transitions.filter(
            (x) =>
              !x.allowed && !x.reasons.some((r) => r.code === "role" || r.code === "taken-by-another-act"),
          );
          const others = s.transitions.filter((x) => !x.allowed && !blocked.includes(x));
          return (
            <Stack gap="sm">
              {allowed.length === 0 && blocked.length === 0 && <Text c="dimmed">{t("noActions")}</Text>}
              <Group>
                {allowed.map((x) => (
                  <Button
                    key={x.name}
                    onClick={() => setTaking(graph.transitions.find((g) => g.name === x.name) ?? null)}
                  >
                    {term("state", x.to)}
                  </Button>
                ))}
              </Group>
              {blocked.map((x) => (
                <Alert
                  key={x.name}
                  color="orange"
                  variant="outline"
                  title={`${t("blocked")}: ${term("state", x.to)}`}
                  data-testid="step-blocked"
                >
                  <List size="sm">
                    {x.reasons.map((r) => (
                      <List.Item key={`${r.code}:${r.message}`}>{reasonText(r)}</List.Item>
                    ))}
                  </List>
                </Alert>
              ))}
              {others.length > 0 && (
                <List size="sm" c="dimmed">
                  {others.map((x) => (
                    <List.Item key={x.name}>
                      {term("state", x.to)} — {x.reasons.map(reasonText).join("; ")}
                    </List.Item>
                  ))}
                </List>
              )}
            </Stack>
          );
        }}
      </QueryState>
      {taking && <TakeStep kase={kase} step={taking} onClose={() => setTaking(null)} />}
    </Paper>
  );
}

function TakeStep({
  kase,
  step,
  onClose,
}: {
  kase: CaseFile;
  step: TrackGraph["transitions"][number];
  onClose: () => void;
}) {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const _errorText = useErrorText();
  const client = useQueryClient();
  const form = useForm({
    initialValues: {
      legalBasis: step.legalSource.slice(0, 200),
      reasons: "",
      occurredAt: "",
      operationId: "",
    },
  });
  // A step onto an operation names it: one still being planned that lists the person.
  const needsOperation = step.guards.includes("operation-lists-person");
  const operations = useQuery({
    queryKey: ["operations", "open"],
    enabled: needsOperation,
    queryFn: () => unwrap(api.GET("/api/operations", { params: { query: { limit: 500 } } })),
  });
  const take = useMutation({
    mutationFn: (v: typeof form.values) =>
      unwrap(
        api.POST("/api/cases/{id}/transitions", {
          params: { path: { id: kase.id } },
          body: {
            transition: step.name,
            legalBasis: v.legalBasis,
            reasons: v.reasons,
            expectedVersion: kase.version,
            ...(v.occurredAt ? { occurredAt: v.occurredAt } : {}),
            ...(v.operationId ? { operationId: v.operationId } : {}),
          },
        }),
      ),
    onSuccess: async () => {
      notifications.show({ color: "teal", message: t("taken", { state: term("state", step.to) }) });
      await client.invalidateQueries({ queryKey: ["case", kase.id] });
      await client.invalidateQueries({ queryKey: ["cases"] });
      onClose();
    },
    onError: (e) => {
      if (e instanceof ApiError) for (const i of e.issues) form.setFieldError(i.field, i.rule);
    },
  });
  const failure = take.error;
  return (
    <Modal opened onClose={onClose} title={term("state", step.to)} size="lg">
      <form onSubmit={form.onSubmit((v) => take.mutate(v))} noValidate>
        <Stack>
          <Text size="sm">
            {t("legalSource")}: {step.legalSource}
          </Text>
          {step.guards.length > 0 && (
            <div>
              <Text size="sm" fw={600}>
                {t("guards")}
              </Text>
              <List size="sm">
                {step.guards.map((g) => (
                  <List.Item key={g}>{t(`guard.${g}`, { defaultValue: g })}</List.Item>
                ))}
              </List>
            </div>
          )}
          <RefusalAlert error={failure} title={t("refused")} data-testid="step-refused" />
          <TextInput label={t("legalBasis")} required {...form.getInputProps("legalBasis")} />
          <Textarea label={t("reasons")} required autosize minRows={3} {...form.getInputProps("reasons")} />
          <TextInput label={t("occurredAt")} type="date" {...form.getInputProps("occurredAt")} />
          {needsOperation && (
            <Select
              label={t("operation")}
              required
              data={(operations.data?.items ?? [])
                .filter((o) => o.status === "planning" || o.status === "planned")
                .map((o) => ({ value: o.id, label: `${o.code} · ${o.operationDate}` }))}
              {...form.getInputProps("operationId")}
            />
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t("common.cancel", { ns: "common" })}
            </Button>
            <Button type="submit" loading={take.isPending}>
              {t("submit")}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function Deadlines({ kase }: { kase: CaseFile }) {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const f = useFormat();
  const open = kase.deadlines.filter((d) => !d.closedOn);
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("deadlines")}
      </Title>
      {open.length === 0 ? (
        <Text c="dimmed">{t("none")}</Text>
      ) : (
        <List>
          {open.map((d) => (
            <List.Item key={d.id}>
              <Text span fw={600}>
                {term("deadline", d.kind)}
              </Text>{" "}
              — {t("due", { date: f.date(d.dueOn), relative: f.relative(d.dueOn) })}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
  );
}

function Record({ kase }: { kase: CaseFile }) {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const f = useFormat();
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("history")}
      </Title>
      <Table striped>
        <Table.Tbody>
          {[...kase.history].reverse().map((h) => (
            <Table.Tr key={h.id}>
              <Table.Td>{f.date(h.occurredAt)}</Table.Td>
              <Table.Td>{term("state", h.toState)}</Table.Td>
              <Table.Td>{h.legalBasis}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Title order={4} size="h5" mt="md">
        {t("charges")}
      </Title>
      <List size="sm">
        {kase.charges.map((c) => (
          <List.Item key={c.id}>
            {c.offenceKey}{" "}
            {c.capitalEligible && (
              <Badge color="red.9" variant="filled" size="xs">
                {t("capital")}
              </Badge>
            )}
          </List.Item>
        ))}
      </List>
      <Title order={4} size="h5" mt="md">
        {t("assurances")}
      </Title>
      {kase.assurances.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t("none")}
        </Text>
      ) : (
        <List size="sm">
          {kase.assurances.map((a) => (
            <List.Item key={a.id}>
              {a.kind} · {a.status}
            </List.Item>
          ))}
        </List>
      )}
    </Paper>
  );
}
