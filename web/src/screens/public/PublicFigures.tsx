import {
  Anchor,
  Container,
  Group,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Textarea,
  Title,
} from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { LanguageSwitch } from "../../app/LanguageSwitch.tsx";
import { LazyBreakdown as Breakdown } from "../../components/LazyBreakdown.tsx";
import { QueryState } from "../../components/QueryState.tsx";
import { addStrings, useFormat } from "../../i18n.ts";
import { statements } from "./statement.ts";
import { strings } from "./strings.ts";

addStrings("public", strings);

/** `/public`: no sign-in; aggregates only, small cells withheld; a statement draft in both languages. */
export default function PublicFigures() {
  const { t } = useTranslation("public");
  const f = useFormat();
  const figures = useQuery({
    queryKey: ["public-figures"],
    queryFn: () => unwrap(api.GET("/api/public/figures")),
  });
  return (
    <Container size="lg" py="md" component="main">
      <Stack>
        <Group justify="space-between">
          <Title order={1}>{t("title")}</Title>
          <Group>
            <LanguageSwitch />
            <Anchor component={Link} to="/sign-in">
              {t("signIn")}
            </Anchor>
          </Group>
        </Group>
        <Text>{t("intro")}</Text>
        <QueryState query={figures}>
          {(s) => {
            const draft = statements(s);
            return (
              <>
                <Paper withBorder p="md">
                  <Text size="sm" c="dimmed">
                    {t("total")}
                  </Text>
                  <Text fz={56} fw={700} data-testid="public-total">
                    {f.number(s.total)}
                  </Text>
                </Paper>
                <Paper withBorder p="md">
                  <Title order={2} size="h4" mb="sm">
                    {t("operations")}
                  </Title>
                  <Table striped>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t("operation")}</Table.Th>
                        <Table.Th>{t("date")}</Table.Th>
                        <Table.Th ta="right">{t("people")}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {s.operations.map((o) => (
                        <Table.Tr key={o.id}>
                          <Table.Td>{o.code}</Table.Td>
                          <Table.Td>{f.date(o.date)}</Table.Td>
                          <Table.Td ta="right">
                            {o.people === null ? t("withheld") : f.number(o.people)}
                          </Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Paper>
                <SimpleGrid cols={{ base: 1, md: 2 }}>
                  <Breakdown
                    title={t("byDestination")}
                    label={t("people")}
                    withheld={t("withheld")}
                    rows={s.destinations}
                  />
                  <Breakdown
                    title={t("byOrganisation")}
                    label={t("people")}
                    withheld={t("withheld")}
                    rows={s.primaryOrganisations}
                  />
                  <Breakdown
                    title={t("byAdministration")}
                    label={t("people")}
                    withheld={t("withheld")}
                    rows={s.administrations}
                  />
                  <Breakdown
                    title={t("byLegalBasis")}
                    label={t("people")}
                    withheld={t("withheld")}
                    rows={s.legalBases}
                  />
                </SimpleGrid>
                <Paper withBorder p="md">
                  <Title order={2} size="h4">
                    {t("statement")}
                  </Title>
                  <Text size="sm" c="dimmed" mb="sm">
                    {t("statementHelp")}
                  </Text>
                  <SimpleGrid cols={{ base: 1, md: 2 }}>
                    <Textarea label="Español" autosize readOnly value={draft.es} data-testid="statement-es" />
                    <Textarea label="English" autosize readOnly value={draft.en} data-testid="statement-en" />
                  </SimpleGrid>
                </Paper>
              </>
            );
          }}
        </QueryState>
      </Stack>
    </Container>
  );
}
