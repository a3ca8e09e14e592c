// Two projects: fast construct/config unit tests, and the Terraform proof (validate + offline
// plan of every AWS stack). `npm test` runs both; each can be selected with --selectProjects.
const transform = { "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022" }, module: { type: "commonjs" } }] };
const common = { testEnvironment: "node", transform, setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"] };

module.exports = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/__tests__/**/*.test.ts"], testPathIgnorePatterns: ["/__tests__/terraform/"] },
    {
      ...common,
      displayName: "terraform",
      testMatch: ["<rootDir>/__tests__/terraform/**/*.test.ts"],
      globalSetup: "<rootDir>/__tests__/terraform/global-setup.ts",
    },
  ],
};
