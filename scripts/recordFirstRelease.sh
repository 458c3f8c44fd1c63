#!/usr/bin/env bash
# Records the jointCommission v1 histories in test/histories/ from the first release's own code:
#   scripts/recordFirstRelease.sh [commit]     (default 4978c5d, the last commit before aa257bf)
# aa257bf batched the record writes (recordEvent -> recordEvents) without a patch and recorded the
# "v1" histories after that change, so those proved nothing about the release's own histories.
# This checks the release out into a temporary worktree (sharing node_modules and the provisioned
# test server), runs aa257bf's recorder there unchanged (agreed, objected, silent on the
# time-skipping server) and copies the histories here. `npx jest test/workflow/replay.test.ts`
# then replays them on the current code.
set -euo pipefail
root="$(git rev-parse --show-toplevel)"
commit="${1:-4978c5d}"
tools="${JCO_TOOLS_DIR:-$root/.tools}"
wt="$(mktemp -d)/first-release"
git -C "$root" worktree add --detach "$wt" "$commit" >/dev/null
trap 'git -C "$root" worktree remove --force "$wt"' EXIT
ln -s "$(readlink -f "$root/node_modules")" "$wt/node_modules"
ln -s "$(readlink -f "$tools")" "$wt/.tools"
mkdir -p "$wt/test/histories"
# The recorder and the format came one commit later; neither is workflow code.
git -C "$root" show aa257bf:test/histories/record.ts >"$wt/test/histories/record.ts"
git -C "$root" show aa257bf:test/histories/format.ts >"$wt/test/histories/format.ts"
(cd "$wt" && npx tsx test/histories/record.ts v1)
cp "$wt"/test/histories/jointCommission-v1-*.json "$root/test/histories/"
