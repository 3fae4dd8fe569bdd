const es = {
  title: "Cifras públicas",
  intro:
    "Personas enviadas a otros Estados por decisión del Estado que las tenía bajo custodia. Solo cifras agregadas; una celda de menos de 3 personas no se muestra.",
  total: "Personas enviadas",
  operations: "Operativos",
  operation: "Operativo",
  date: "Fecha",
  people: "Personas",
  byAdministration: "Por administración",
  byOrganisation: "Por organización (afiliación principal)",
  byDestination: "Por destino",
  byLegalBasis: "Por fundamento legal",
  withheld: "menos de 3",
  statement: "Borrador de comunicado",
  statementHelp: "Construido con las cifras anteriores, en los dos idiomas. Revíselo antes de publicarlo.",
  signIn: "Iniciar sesión",
};

const en: typeof es = {
  title: "Public figures",
  intro:
    "People sent to other states by decision of the state that held them. Aggregates only; a cell of fewer than 3 people is not shown.",
  total: "People sent",
  operations: "Operations",
  operation: "Operation",
  date: "Date",
  people: "People",
  byAdministration: "By administration",
  byOrganisation: "By organisation (primary affiliation)",
  byDestination: "By destination",
  byLegalBasis: "By legal basis",
  withheld: "fewer than 3",
  statement: "Statement draft",
  statementHelp: "Built from the figures above, in both languages. Review it before publishing.",
  signIn: "Sign in",
};

export const strings = { es, en };
