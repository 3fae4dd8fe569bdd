/**
 * Child process of `npm run bench`: the ceiling. A bare Fastify + `pg` server answering a case by primary
 * key — the least any API can do for a read on this machine. No auth, no validation, no ORM.
 */
import Fastify from "fastify";
import pg from "pg";
import { serveUntilStopped } from "./child.ts";

const { url, poolSize } = JSON.parse(process.argv[2] ?? "{}") as { url: string; poolSize: number };
const pool = new pg.Pool({ connectionString: url, max: poolSize });
const app = Fastify({ logger: false });
app.get<{ Params: { id: string } }>("/cases/:id", async (req, reply) => {
  const { rows } = await pool.query("select * from cases where id = $1", [req.params.id]);
  if (rows.length === 0) return reply.code(404).send({ error: "not found" });
  return rows[0];
});
await serveUntilStopped(app, () => pool.end());
