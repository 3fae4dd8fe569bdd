import { Alert, Button, Group, NumberInput, Paper, Progress, Stack, Text, Title } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, unwrap } from "../../api/client.ts";
import { ErrorAlert } from "../../components/QueryState.tsx";
import { useFormat } from "../../i18n.ts";

/** Seconds since `start`, ticking while `running`. */
function useElapsed(start: number | null) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (start === null) return;
    const timer = setInterval(() => setNow(Date.now()), 100);
    return () => clearInterval(timer);
  }, [start]);
  return start === null ? 0 : Math.max(0, now - start) / 1000;
}

/**
 * Runs the planner with a time limit. The request answers when the search ends (proven optimal, or the
 * time is up): meanwhile an indeterminate bar and the seconds elapsed.
 */
export function RunPlanner({
  operationId,
  onPlanned,
}: {
  operationId: string;
  onPlanned: () => Promise<unknown>;
}) {
  const { t } = useTranslation("operations");
  const f = useFormat();
  const client = useQueryClient();
  const [seconds, setSeconds] = useState<number | string>(2);
  const [start, setStart] = useState<number | null>(null);
  const elapsed = useElapsed(start);
  const [took, setTook] = useState<number | null>(null);
  const startedAt = useRef(0);
  const run = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/operations/{id}/plan", {
          params: { path: { id: operationId } },
          body: { timeLimitMs: Math.round(Number(seconds) * 1000) },
        }),
      ),
    onMutate: () => {
      setTook(null);
      startedAt.current = Date.now();
      setStart(startedAt.current);
    },
    onSettled: async (answer) => {
      setTook((Date.now() - startedAt.current) / 1000);
      setStart(null);
      if (answer) {
        const { violations: _, ...current } = answer;
        client.setQueryData(["operation-plan", operationId], current);
        await onPlanned();
      }
    },
  });
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {t("run.title")}
      </Title>
      <Group align="flex-end">
        <NumberInput
          label={t("run.timeLimit")}
          value={seconds}
          onChange={setSeconds}
          min={1}
          max={30}
          step={1}
          w={200}
          disabled={run.isPending}
        />
        <Button
          onClick={() => run.mutate()}
          disabled={run.isPending || !(Number(seconds) >= 1 && Number(seconds) <= 30)}
        >
          {t("run.start")}
        </Button>
      </Group>
      {run.isPending && (
        <Stack gap={4} mt="sm">
          <Progress value={100} striped animated aria-label={t("run.runningLabel")} />
          <Text size="sm" role="status" data-testid="planner-running">
            {t("run.running", { s: f.number(Math.round(elapsed * 10) / 10) })}
          </Text>
        </Stack>
      )}
      {run.isSuccess && took !== null && (
        <Alert color="teal" mt="sm" role="status" data-testid="planner-done">
          {t("run.done", { s: f.number(Math.round(took * 10) / 10) })}
        </Alert>
      )}
      {run.error && (
        <Stack mt="sm">
          <ErrorAlert error={run.error} />
        </Stack>
      )}
    </Paper>
  );
}
