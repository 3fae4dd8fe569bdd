import { BarChart } from "@mantine/charts";
import "@mantine/charts/styles.css";
import { Box, Paper, Table, Text, Title } from "@mantine/core";
import { useFormat } from "../i18n.ts";

export interface Cell {
  key: string;
  /** Null when withheld (a small cell of the public figures). */
  people: number | null;
}

/** A breakdown of people as a bar chart and, for every reader and screen reader, a table of its figures. */
export function Breakdown({
  title,
  rows,
  label,
  withheld,
}: {
  title: string;
  rows: Cell[];
  label: string;
  withheld: string;
}) {
  const f = useFormat();
  const shown = rows.filter((r) => r.people !== null) as { key: string; people: number }[];
  return (
    <Paper withBorder p="md">
      <Title order={3} size="h4" mb="sm">
        {title}
      </Title>
      {/* The chart is a picture of the table below it: out of the reading order and the tab order. */}
      {shown.length > 1 && (
        <Box aria-hidden inert>
          <BarChart
            h={Math.max(120, shown.length * 28)}
            data={shown}
            dataKey="key"
            orientation="vertical"
            yAxisProps={{ width: 160 }}
            series={[{ name: "people", label, color: "teal.7" }]}
          />
        </Box>
      )}
      <Table mt="sm" striped>
        <Table.Tbody>
          {rows.map((r) => (
            <Table.Tr key={r.key}>
              <Table.Td>{r.key}</Table.Td>
              <Table.Td ta="right">
                <Text span fw={600}>
                  {r.people === null ? withheld : f.number(r.people)}
                </Text>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Paper>
  );
}
