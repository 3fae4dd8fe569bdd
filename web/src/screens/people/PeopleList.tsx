import { Anchor, Badge, Group, Select, Stack, Table, TextInput, Title } from "@mantine/core";
import { useDebouncedValue } from "@mantine/hooks";
import { useInfiniteQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { api, unwrap } from "../../api/client.ts";
import { PagedTable } from "../../components/PagedTable.tsx";
import { addStrings } from "../../i18n.ts";
import { useTerm } from "../../terms.ts";
import { strings } from "./strings.ts";

addStrings("people", strings);

const riskFlags = ["escape-risk", "violent", "needs-separation", "medical", "high-profile"] as const;
type RiskFlag = (typeof riskFlags)[number];

/** People the user may see: search by name or alias, filter by risk flag; the search is in the address. */
export default function PeopleList() {
  const { t } = useTranslation("people");
  const term = useTerm();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const riskFlag = (params.get("risk") as RiskFlag | null) ?? undefined;
  const [debounced] = useDebouncedValue(q, 250);
  const set = (key: string, value: string | null) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const people = useInfiniteQuery({
    queryKey: ["people", "list", debounced, riskFlag],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET("/api/people", {
          params: {
            query: {
              limit: 50,
              ...(debounced.trim() ? { q: debounced.trim() } : {}),
              ...(riskFlag ? { riskFlag } : {}),
              ...(pageParam ? { cursor: pageParam } : {}),
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  return (
    <Stack>
      <Title order={2}>{t("title")}</Title>
      <Group align="flex-end">
        <TextInput
          label={t("search")}
          value={q}
          onChange={(e) => set("q", e.currentTarget.value)}
          w={360}
          type="search"
        />
        <Select
          label={t("riskFlag")}
          placeholder={t("anyRisk")}
          clearable
          value={riskFlag ?? null}
          onChange={(v) => set("risk", v)}
          data={riskFlags.map((f) => ({ value: f, label: term("riskFlag", f) }))}
        />
      </Group>
      <PagedTable
        query={people}
        headers={[t("name"), t("aliases"), t("custody"), t("flags")]}
        rowKey={(p) => p.id}
        empty={t("none")}
        more={t("more")}
        cells={(p) => (
          <>
            <Table.Td>
              <Anchor component={Link} to={`/people/${p.id}`}>
                {p.givenNames} {p.familyNames}
              </Anchor>
            </Table.Td>
            <Table.Td>{p.aliases.join(", ")}</Table.Td>
            <Table.Td>{p.custodyFacility ?? "—"}</Table.Td>
            <Table.Td>
              <Group gap={4}>
                {p.riskFlags.map((f) => (
                  <Badge key={f} color="red.9" variant="outline" size="sm">
                    {term("riskFlag", f)}
                  </Badge>
                ))}
              </Group>
            </Table.Td>
          </>
        )}
      />
    </Stack>
  );
}
