// Two projects: the unit tests (constructs on small fixtures, configuration, scripts, and the
// stack-level tests that read one synthesis of the app), and the Terraform proof: every test that
// runs Terraform lives in __tests__/terraform (validate + offline plan of every AWS stack, the plan
// guard on real plans, `npm run plan`). `npm test` runs both; each can be selected with
// --selectProjects. Both share one synthesis of the app per run (__tests__/support/global-setup.ts).

// Whatever the tests start (cdktf, terraform, the app) must not call HashiCorp's checkpoint
// service: on a closed network each lookup waits for DNS.
process.env.CHECKPOINT_DISABLE ??= "1";
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] };
const common = {
  testEnvironment: "node",
  transform,
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  globalTeardown: "<rootDir>/__tests__/support/global-teardown.ts",
  modulePathIgnorePatterns: ["<rootDir>/dist/"],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: "unit",
      testMatch: ["<rootDir>/__tests__/**/*.test.ts"],
      testPathIgnorePatterns: ["/__tests__/terraform/"],
      globalSetup: "<rootDir>/__tests__/support/global-setup.ts",
    },
    {
      ...common,
      displayName: "terraform",
      testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts"],
      globalSetup: "<rootDir>/__tests__/terraform/global-setup.ts",
    },
  ],
};
