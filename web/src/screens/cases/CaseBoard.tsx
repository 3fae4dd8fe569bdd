import { Anchor, Badge, Group, Paper, ScrollArea, SegmentedControl, Stack, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { QueryState } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("cases", strings);

/** A board per legal track: one column per state (in the track's order), the cases in it. */
export default function CaseBoard() {
  const { t } = useTranslation("cases");
  const term = useTerm();
  const f = useFormat();
  const [track, setTrack] = useState<"security" | "treaty">("security");
  const tracks = useQuery({
    queryKey: ["tracks"],
    queryFn: () => unwrap(api.GET("/api/tracks")),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const cases = useQuery({
    queryKey: ["cases", "board", track],
    queryFn: () => unwrap(api.GET("/api/cases", { params: { query: { track, limit: 500 } } })),
  });
  const graph = tracks.data?.tracks.find((g) => g.track === track);
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t("title")}</Title>
        <SegmentedControl
          aria-label={t("track")}
          value={track}
          onChange={(v) => setTrack(v as "security" | "treaty")}
          data={[
            { value: "security", label: term("track", "security") },
            { value: "treaty", label: term("track", "treaty") },
          ]}
        />
      </Group>
      <QueryState query={cases}>
        {(c) => (
          <ScrollArea type="auto" offsetScrollbars>
            <Group align="flex-start" wrap="nowrap" gap="sm">
              {(graph?.states ?? []).map((s) => {
                const here = c.items.filter((k) => k.state === s.name);
                if (here.length === 0) return null;
                return (
                  <Paper
                    key={s.name}
                    withBorder
                    p="sm"
                    w={260}
                    miw={260}
                    component="section"
                    aria-label={term("state", s.name)}
                  >
                    <Title order={3} size="h5">
                      {term("state", s.name)}
                    </Title>
                    <Text size="xs" c="dimmed" mb="xs">
                      {t("cases", { count: here.length })}
                    </Text>
                    <Stack gap={6}>
                      {here.map((k) => (
                        <Paper key={k.id} withBorder p={6} radius="sm">
                          <Anchor component={Link} to={`/cases/${k.id}`} size="sm" fw={600}>
                            {k.personName ?? t("case")}
                          </Anchor>
                          <Text size="xs" c="dimmed">
                            {t("opened", { date: f.date(k.openedOn) })}
                          </Text>
                          {k.openRisks.length > 0 && (
                            <Badge color="red.9" variant="filled" size="xs">
                              {t("risks")}
                            </Badge>
                          )}
                        </Paper>
                      ))}
                    </Stack>
                  </Paper>
                );
              })}
            </Group>
          </ScrollArea>
        )}
      </QueryState>
    </Stack>
  );
}
