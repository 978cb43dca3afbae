// Test helper: evaluates expression cases and form runs sent as JSON on stdin with the browser's code.
"use strict";
const path = require("path");
const fs = require("fs");
const staticDir = path.join(__dirname, "..", "static", "forms");
globalThis.AmparoExpressions = require(path.join(staticDir, "expressions.js"));
const runtime = require(path.join(staticDir, "runtime.js"));
const E = globalThis.AmparoExpressions;

function describe(value) {
  if (Array.isArray(value)) return ["list", JSON.stringify(value.map(E.toString))];
  if (typeof value === "boolean") return ["bool", E.toString(value)];
  if (typeof value === "number") return ["num", E.toString(value)];
  return ["str", String(value)];
}

function runForm(job) {
  // Scopes come from nested data: {repeat: [{...}, …]} like the Python side.
  function instancesOf(scope, name) {
    const raw = scope.raw[name];
    return Array.isArray(raw) ? raw.map((instance, index) => ({
      path: (scope.path ? scope.path + "/" : "") + name + "/" + index, handle: { raw: instance },
    })) : [];
  }
  const rootRaw = { raw: job.data };
  const result = runtime.run(job.meta, (scope, name) => {
    const raw = (scope.handle || rootRaw).raw[name];
    return raw === undefined || raw === null ? "" : raw;
  }, (scope, name) => {
    const holder = scope.handle || rootRaw;
    return instancesOf({ raw: holder.raw, path: scope.path }, name);
  }, { today: job.today, now: "" });
  const out = {};
  function walk(scope) {
    Object.keys(scope.relevant).forEach((name) => {
      const key = scope.path ? scope.path + "/" + name : name;
      out[key] = [scope.relevant[name], describe(name in scope.values ? scope.values[name] : "")];
    });
    Object.keys(scope.children).forEach((name) => scope.children[name].forEach(walk));
  }
  walk(result.root);
  return out;
}

const input = JSON.parse(fs.readFileSync(0, "utf8"));
const output = { cases: [], forms: [] };
(input.cases || []).forEach((job) => {
  const env = { lookup: (name) => (name in job.values ? job.values[name] : ""), current: job.current,
    today: job.today, now: job.now };
  try {
    output.cases.push(describe(E.evaluate(job.ast, env)));
  } catch (error) {
    output.cases.push(["error", String(error)]);
  }
});
(input.forms || []).forEach((job) => output.forms.push(runForm(job)));
process.stdout.write(JSON.stringify(output));
