import { Alert, Anchor, Badge, Grid, Group, List, Paper, Stack, Table, Text, Title } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { useSession } from "../../api/session.tsx";
import { QueryState } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("people", strings);

/** Where a timeline entry's record is shown in the app, if it has a page. */
const pageOf: Record<string, (id: string) => string> = {
  cases: (id) => `/cases/${id}`,
  case: (id) => `/cases/${id}`,
  operations: (id) => `/operations/${id}`,
  operation: (id) => `/operations/${id}`,
};

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}

/** A person: identity, custody, affiliations, every request, case, operation and handover, and one timeline. */
export default function PersonPage() {
  const { id = "" } = useParams();
  const { t } = useTranslation("people");
  const term = useTerm();
  const f = useFormat();
  const session = useSession();
  const file = useQuery({
    queryKey: ["person-file", id],
    queryFn: () => unwrap(api.GET("/api/people/{id}/file", { params: { path: { id } } })),
  });
  return (
    <QueryState query={file}>
      {(p) => {
        const nothing = <Text c="dimmed">{t("nothing")}</Text>;
        return (
          <Stack>
            <Group justify="space-between">
              <Title order={2}>
                {p.person.givenNames} {p.person.familyNames}
              </Title>
              <Group gap={4}>
                {p.person.riskFlags.map((r) => (
                  <Badge key={r} color="red.9" variant="filled">
                    {term("riskFlag", r)}
                  </Badge>
                ))}
              </Group>
            </Group>
            {p.person.fictional && <Alert color="gray">{t("fictional")}</Alert>}
            <Grid>
              <Grid.Col span={{ base: 12, md: 5 }}>
                <Stack>
                  <Section title={t("identity")}>
                    <Table>
                      <Table.Tbody>
                        <Table.Tr>
                          <Table.Th>{t("aliases")}</Table.Th>
                          <Table.Td>{p.person.aliases.join(", ") || "—"}</Table.Td>
                        </Table.Tr>
                        <Table.Tr>
                          <Table.Th>{t("photo")}</Table.Th>
                          <Table.Td>{p.person.photoRef ?? t("noPhoto")}</Table.Td>
                        </Table.Tr>
                        <Table.Tr>
                          <Table.Th>{t("dateOfBirth")}</Table.Th>
                          <Table.Td>{f.date(p.person.dateOfBirth)}</Table.Td>
                        </Table.Tr>
                        <Table.Tr>
                          <Table.Th>{t("nationalities")}</Table.Th>
                          <Table.Td>{p.person.nationalities.join(", ") || "—"}</Table.Td>
                        </Table.Tr>
                        <Table.Tr>
                          <Table.Th>{t("identifiers")}</Table.Th>
                          <Table.Td>
                            {p.person.identifiers.map((i) => (
                              <Text size="sm" key={`${i.kind}:${i.value}`}>
                                {i.kind}: {i.value}
                              </Text>
                            ))}
                          </Table.Td>
                        </Table.Tr>
                        <Table.Tr>
                          <Table.Th>{t("custody")}</Table.Th>
                          <Table.Td>
                            {p.person.custodyFacility ?? "—"}
                            {p.person.custodySince &&
                              ` (${t("custodySince", { date: f.date(p.person.custodySince) })})`}
                          </Table.Td>
                        </Table.Tr>
                      </Table.Tbody>
                    </Table>
                  </Section>
                  <Section title={t("affiliations")}>
                    {p.affiliations.length === 0 ? (
                      nothing
                    ) : (
                      <List>
                        {p.affiliations.map((a) => (
                          <List.Item key={a.id}>
                            {a.organisationName ?? a.organisationId}
                            {a.role && ` — ${a.role}`}{" "}
                            {a.primary && (
                              <Badge size="xs" variant="outline" color="dark">
                                {t("primary")}
                              </Badge>
                            )}
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Section>
                  <Section title={t("requests")}>
                    {p.requests.length > 0 && (
                      <Anchor component={Link} to={`/requests?personId=${p.person.id}`} size="sm">
                        {t("requestActions")}
                      </Anchor>
                    )}
                    {p.requests.length === 0 ? (
                      nothing
                    ) : (
                      <List>
                        {p.requests.map((r) => (
                          <List.Item key={r.id}>
                            {term("requestType", r.type)} · {r.requestingState} · {r.requestingAgency}
                            {r.courtCaseNumber && ` · ${r.courtCaseNumber}`}{" "}
                            {r.caseStatus && (
                              <Badge variant="outline" color="dark" size="sm" data-testid="shared-status">
                                {term("shared", r.caseStatus)}
                              </Badge>
                            )}
                            <List size="sm">
                              {r.charges.map((c) => (
                                <List.Item key={c.id}>
                                  {c.statute} — {c.description}
                                </List.Item>
                              ))}
                            </List>
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Section>
                  <Section title={t("cases")}>
                    {p.cases.length === 0 ? (
                      nothing
                    ) : (
                      <List>
                        {p.cases.map((c) => (
                          <List.Item key={c.id}>
                            <Anchor component={Link} to={`/cases/${c.id}`}>
                              {term("track", c.track)}: {term("state", c.state)}
                            </Anchor>
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Section>
                  <Section title={t("operations")}>
                    {p.operations.length === 0 ? (
                      nothing
                    ) : (
                      <List>
                        {p.operations.map((o) => (
                          <List.Item key={o.id}>
                            {o.code} · {f.date(o.operationDate)} · {term("operationStatus", o.status)}
                            {o.destination && ` → ${o.destination}`}
                            {o.removed && ` (${t("removed")})`}
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Section>
                  <Section title={t("handovers")}>
                    {p.handovers.length === 0 ? (
                      nothing
                    ) : (
                      <List>
                        {p.handovers.map((h) => (
                          <List.Item key={h.id} c={h.supersededBy ? "dimmed" : undefined}>
                            {f.dateTime(h.occurredAt)} · {h.place} · {h.receivingAgency}
                            {h.supersededBy ? ` · ${t("corrected")}` : ""}
                          </List.Item>
                        ))}
                      </List>
                    )}
                  </Section>
                </Stack>
              </Grid.Col>
              <Grid.Col span={{ base: 12, md: 7 }}>
                <Section title={t("timeline")}>
                  {session.can("audit:read") && (
                    <Anchor component={Link} to={`/audit?personId=${p.person.id}`} size="sm">
                      {t("auditEvents")}
                    </Anchor>
                  )}
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t("occurredAt")}</Table.Th>
                        <Table.Th>{t("recordedAt")}</Table.Th>
                        <Table.Th />
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {p.timeline.map((e) => {
                        const page = pageOf[e.link.entity]?.(e.link.id);
                        return (
                          <Table.Tr key={`${e.kind}:${e.link.id}:${e.occurredAt}:${e.summary}`}>
                            <Table.Td>{f.date(e.occurredAt)}</Table.Td>
                            <Table.Td>{f.dateTime(e.recordedAt)}</Table.Td>
                            <Table.Td>
                              {page ? (
                                <Anchor component={Link} to={page}>
                                  {e.summary}
                                </Anchor>
                              ) : (
                                e.summary
                              )}
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                </Section>
              </Grid.Col>
            </Grid>
          </Stack>
        );
      }}
    </QueryState>
  );
}
