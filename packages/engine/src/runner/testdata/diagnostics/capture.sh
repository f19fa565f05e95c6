#!/usr/bin/env bash
# Captures the tofu outputs tofu-diagnostics.test.ts reads, with the real OpenTofu on the fixture modules.
# Run from the repository root: packages/engine/src/runner/testdata/diagnostics/capture.sh
set -uo pipefail
tofu=${SPAWNIT_TOFU_BIN:-$HOME/.cache/spawnit/tofu/1.10.10/tofu}
out=$(cd "$(dirname "$0")" && pwd)
echo_module=$(pwd)/tests/fixtures/modules/services/echo/local
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_CLI_CONFIG_FILE=/nonexistent/tofu.tfrc

context='"context":{"client_id":"alice","service_id":"echo-1","template_id":"echo","provider":"local","network_name":"default","labels":{}}'
mkdir -p "$work/echo" "$work/syntax" "$work/module" "$work/local-exec"
cat >"$work/echo/main.tf" <<TF
variable "context" {}
variable "params" {}
module "this" {
  source  = "$echo_module"
  context = var.context
  params  = var.params
}
TF
echo "{$context,\"params\":{\"message\":\"hi\",\"password\":\"pw\",\"fail\":true}}" >"$work/echo/fail.tfvars.json"
echo "{$context,\"params\":{\"message\":\"hi\",\"password\":\"pw\",\"watch_file\":\"/nonexistent/watched.txt\"}}" >"$work/echo/missing.tfvars.json"
(
  cd "$work/echo" && "$tofu" init -input=false -no-color >/dev/null
  # As the engine runs a plan: -no-color (its default), then with colours (SPAWNIT color: true).
  "$tofu" plan -input=false -detailed-exitcode -no-color -var-file=fail.tfvars.json >"$out/plan-precondition.txt" 2>&1
  "$tofu" plan -input=false -detailed-exitcode -var-file=fail.tfvars.json >"$out/plan-precondition-color.txt" 2>&1
  "$tofu" plan -input=false -detailed-exitcode -no-color -var-file=missing.tfvars.json >"$out/plan-missing-file.txt" 2>&1
)
printf 'resource "terraform_data" "x" {\n  input = "a"\n  bogus = 1\n}\nresource "terraform_data" "y" {\n  input = var.nope\n}\n' >"$work/syntax/main.tf"
(cd "$work/syntax" && "$tofu" init -input=false -no-color >/dev/null && "$tofu" plan -input=false -no-color >"$out/plan-two-errors.txt" 2>&1)
printf 'module "this" {\n  source = "../nowhere"\n}\n' >"$work/module/main.tf"
(cd "$work/module" && "$tofu" init -input=false -no-color >"$out/init-missing-module.txt" 2>&1)
cat >"$work/local-exec/main.tf" <<'TF'
resource "terraform_data" "setup" {
  provisioner "local-exec" {
    command = "echo 'cannot reach 10.0.0.7:5432' >&2; exit 3"
  }
}
TF
(
  cd "$work/local-exec" && "$tofu" init -input=false -no-color >/dev/null
  "$tofu" plan -input=false -no-color -out=p.tfplan >/dev/null
  # As the engine runs an apply: -json events.
  "$tofu" apply -json -input=false -no-color p.tfplan >"$out/apply-local-exec.jsonl" 2>&1
)
# A plan while an apply holds the state lock (the local backend: the S3 one words its error message differently).
mkdir -p "$work/lock"
printf 'resource "terraform_data" "slow" {\n  provisioner "local-exec" {\n    command = "sleep 5"\n  }\n}\n' >"$work/lock/main.tf"
(
  cd "$work/lock" && "$tofu" init -input=false -no-color >/dev/null
  "$tofu" apply -auto-approve -input=false -no-color >/dev/null 2>&1 &
  sleep 2
  "$tofu" plan -input=false -no-color -lock-timeout=0s >"$out/plan-locked.txt" 2>&1
  wait
)
ls -l "$out"
