// The calls every consumer project makes (inlined into each project's entry file as text, so
// the projects share one script): one Auto Sync plan through the engine, and the identity
// entry point's key and parser. Prints one JSON line the tests compare.
export const CALLS = `
const unit = { businessUnitId: "bu-1", platform: "ringcentral" };
const engine = new Engine();
engine.loadSourceUsers(unit, [
  { id: "u1", email: "Ann@Example.com", active: true, permissions: ["UserMapping.Map"] },
]);
engine.loadExternalUsers(unit, [{ id: "rc-1", email: "ann@example.com" }]);
const plan = engine.planAutoSync(unit, "2026-01-01T00:00:00Z");
let code = "";
try {
  identity.emailKey("no-at-sign");
} catch (e) {
  code = identity.isUsersyncError(e) ? e.code : "not a UsersyncError";
}
const parsed = identity.parseSourceUsers(
  new TextEncoder().encode("id,Email\\nu2,bob@example.com\\n"),
  "csv",
);
const result = {
  version: version(),
  mapped: plan.counts.byStatus.mapped,
  key: identity.emailKey(" Ann.Lee@Bücher.de ").key,
  engineKey: emailKey("a@B.co").key,
  code,
  parsed: parsed.records.map((r) => r.email),
};
`;

/** What CALLS computes, whatever the host. */
export const EXPECTED = {
  mapped: 1,
  key: "ann.lee@xn--bcher-kva.de",
  engineKey: "a@b.co",
  code: "invalid_email",
  parsed: ["bob@example.com"],
};
