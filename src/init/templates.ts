// What `migrakit init` writes, as text. Pure: the caller fills in the package and the install command.

/**
 * The seed's script template: header `"""vX.X.X."""`, revision, down_revision, upgrade/downgrade.
 * Not the bridge's built-in python/templates/script.py.mako, on purpose: that one is alembic's own default,
 * used for a repo that has no template (so its first script is the one `alembic revision` would have written,
 * the header then rewritten by src/generate/script-text.ts), while this one is the repo's to own once init
 * wrote it, in the seed's convention (it imports sqlmodel, which a plain SQLAlchemy repo may not have).
 */
export const SCRIPT_TEMPLATE = `"""vX.X.X."""
from alembic import op
import sqlalchemy as sa  # noqa: F401
import sqlmodel  # noqa: F401
\${imports if imports else ""}
revision = "\${up_revision}"
down_revision = \${'"%s"' % down_revision if isinstance(down_revision, str) else repr(down_revision)}


def upgrade() -> None:
    \${upgrades if upgrades else "pass"}


def downgrade() -> None:
    \${downgrades if downgrades else "pass"}
`;

/**
 * `init --hooks pre-commit`: a local hook running the migrakit of the repo's devDependencies, so that the hook,
 * `check` and the release use one migrakit version (a `repo: <migrakit's git URL>` entry works too: docs/ci.md).
 * `verbose`: pre-commit hides a passing hook's output, and the hook says which script it wrote.
 */
export const PRE_COMMIT_CONFIG = `# Written by \`migrakit init --hooks pre-commit\`; \`pre-commit install\` enables it (after \`npm install\`).
repos:
  - repo: local
    hooks:
      - id: migrakit
        name: migrakit (write and check the script for staged ORM changes)
        entry: npx --no-install migrakit hook pre-commit
        language: system
        pass_filenames: false
        always_run: true
        require_serial: true
        verbose: true
        stages: [pre-commit]
`;

export const RELEASE_CONFIG = `${JSON.stringify({ extends: "migrakit/release-config" }, null, 2)}\n`;

/**
 * The Node.js the generated workflows set up: the current LTS line. migrakit itself runs on Node >= 20.8.1
 * (package.json "engines", tested on 20); some of semantic-release's GitHub dependencies declare Node >= 22.
 */
export const WORKFLOW_NODE = "24";

export function migrationsWorkflow(opts: { pythonInstall: string }): string {
  return `# Written by \`migrakit init --ci github\`: the "Build" step of the CI-guided workflow, on every pull request.
name: migrations
on:
  pull_request:
  push:
    branches: [main]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # release tags: the baseline and the released-scripts rule need them
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - uses: actions/setup-node@v4
        with:
          node-version: ${WORKFLOW_NODE}
          cache: npm
      - run: ${opts.pythonInstall}
      - run: npm ci
      - run: npx migrakit check
`;
}

export function releaseWorkflow(): string {
  return `# Written by \`migrakit init --ci github\`: on every push to a release branch, semantic-release versions the
# package: __version__ bumped, vx_x_x scripts renamed and re-headed, CHANGELOG.md, a tag and a GitHub release.
name: release
on:
  push:
    branches: [main, next, beta, alpha]
permissions:
  contents: write # the release commit and tag
  issues: write # semantic-release comments on released issues
  pull-requests: write
jobs:
  release:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0 # semantic-release reads every tag and commit since the last release
          persist-credentials: false
      - uses: actions/setup-node@v4
        with:
          node-version: ${WORKFLOW_NODE}
          cache: npm
      - run: npm ci
      - run: npx release
        env:
          GITHUB_TOKEN: \${{ secrets.GITHUB_TOKEN }}
`;
}
