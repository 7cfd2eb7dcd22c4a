/**
 * Writes `schema.json` (the nexudus plugin's package schema) from provider/plugin/schema.ts, the
 * one source of the plugin's types. `npm run plugin:schema`; tests/plugin/schema.test.ts fails
 * when the committed file is not what this writes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { schemaText } from "../provider/plugin/schema";

const file = path.resolve(__dirname, "..", "schema.json");
fs.writeFileSync(file, schemaText());
process.stdout.write(`wrote ${path.relative(process.cwd(), file) || file}\n`);
