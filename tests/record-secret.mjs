// Stands in for `wrangler secret put NAME` in tests: reads the value on stdin, as wrangler does, and
// appends `NAME=value` to the file $DNI_TEST_SECRETS_FILE (the test then restarts the local worker
// with those values, as Cloudflare would serve them to the deployed one).
import { appendFileSync } from "node:fs";

let value = "";
for await (const chunk of process.stdin) value += chunk;
appendFileSync(process.env.DNI_TEST_SECRETS_FILE, `${process.argv[2]}=${value}\n`);
