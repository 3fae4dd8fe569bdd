const es = {
  title: "Personas",
  search: "Buscar por nombre o alias",
  riskFlag: "Riesgo",
  anyRisk: "Cualquiera",
  name: "Nombre",
  aliases: "Alias",
  custody: "Custodia",
  flags: "Riesgos",
  none: "Nadie coincide con la búsqueda.",
  more: "Ver más",
};

const en: typeof es = {
  title: "People",
  search: "Search by name or alias",
  riskFlag: "Risk",
  anyRisk: "Any",
  name: "Name",
  aliases: "Aliases",
  custody: "Custody",
  flags: "Risks",
  none: "No one matches the search.",
  more: "Show more",
};

export const strings = { es, en };
