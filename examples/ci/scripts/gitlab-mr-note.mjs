#!/usr/bin/env node
/* global fetch */
/**
 * Posts the output of `pulumi preview` as a note on the merge request of a GitLab CI pipeline, or
 * updates the note it posted before for the same stack, so an MR carries one preview per stack.
 *
 *   node scripts/gitlab-mr-note.mjs preview.txt "$status"
 *
 * Needs GITLAB_API_TOKEN: a project access token with the `api` scope and at least the Reporter
 * role (CI_JOB_TOKEN cannot write notes). Without it the script only warns: a missing comment
 * never fails the preview. The rest comes from GitLab's predefined variables (CI_API_V4_URL,
 * CI_PROJECT_ID, CI_MERGE_REQUEST_IID, CI_COMMIT_SHORT_SHA, CI_JOB_URL) and PULUMI_STACK.
 */
import { readFileSync } from "node:fs";

/** GitLab accepts 1,000,000 characters; a long preview keeps its end (the summary). */
const MAX_OUTPUT = 60_000;

const env = process.env;
const [file, status = "0"] = process.argv.slice(2);

function usage(message) {
  console.error(`gitlab-mr-note: ${message}`);
  console.error("usage: node scripts/gitlab-mr-note.mjs <preview output file> [exit status]");
  process.exit(2);
}

/** The note's text: a marker that finds it again, a status line, then the preview output. */
function noteBody({ stack, output, status, sha, jobUrl }) {
  // eslint-disable-next-line no-control-regex -- strip ANSI colour codes
  let text = output.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "").replace(/```/g, "`\u200b``");
  if (text.length > MAX_OUTPUT) {
    text = `… (${text.length - MAX_OUTPUT} characters cut, see the job log)\n${text.slice(-MAX_OUTPUT)}`;
  }
  const ok = status === "0";
  const where = [sha && `commit ${sha}`, jobUrl && `[job log](${jobUrl})`]
    .filter(Boolean)
    .join(" · ");
  return [
    marker(stack),
    `### Pulumi preview of \`${stack}\`: ${ok ? "succeeded" : `**failed** (exit status ${status})`}`,
    "",
    where,
    "",
    "<details open><summary>Output</summary>",
    "",
    "```",
    text.trimEnd(),
    "```",
    "",
    "</details>",
  ].join("\n");
}

function marker(stack) {
  return `<!-- pulumi-preview:${stack} -->`;
}

async function api(method, path, body) {
  const res = await fetch(`${env.CI_API_V4_URL}${path}`, {
    method,
    headers: { "PRIVATE-TOKEN": env.GITLAB_API_TOKEN, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    throw new Error(`${method} ${path}: HTTP ${res.status} ${(await res.text()).slice(0, 300)}`);
  }
  return res.json();
}

async function main() {
  if (!file) usage("missing the preview output file");
  if (!env.CI_MERGE_REQUEST_IID) {
    console.log("gitlab-mr-note: not a merge request pipeline, nothing to post");
    return;
  }
  if (!env.GITLAB_API_TOKEN) {
    console.warn("gitlab-mr-note: GITLAB_API_TOKEN is not set, the preview is not posted");
    return;
  }
  const stack = env.PULUMI_STACK || "stack";
  const body = noteBody({
    stack,
    output: readFileSync(file, "utf8"),
    status,
    sha: env.CI_COMMIT_SHORT_SHA,
    jobUrl: env.CI_JOB_URL,
  });
  const notes = `/projects/${encodeURIComponent(env.CI_PROJECT_ID)}/merge_requests/${env.CI_MERGE_REQUEST_IID}/notes`;
  const existing = (await api("GET", `${notes}?per_page=100&sort=desc&order_by=updated_at`)).find(
    (n) => typeof n.body === "string" && n.body.startsWith(marker(stack)),
  );
  if (existing) {
    await api("PUT", `${notes}/${existing.id}`, { body });
    console.log(`gitlab-mr-note: updated note ${existing.id}`);
  } else {
    const created = await api("POST", notes, { body });
    console.log(`gitlab-mr-note: posted note ${created.id}`);
  }
}

main().catch((err) => {
  // A comment that cannot be posted must not hide the preview's own result.
  console.warn(`gitlab-mr-note: could not post the preview: ${err.message}`);
});
