#!/usr/bin/env bash
# Drives nanofaas_server with Debian's AWS CLI: tests/http/awscli_test.sh SERVER_BINARY
# Starts the server on a free loopback port with an access key, runs the Lambda calls the CLI
# makes (signed with SigV4), checks what the CLI prints, and stops the server by its PID.
set -euo pipefail

server=${1:?usage: awscli_test.sh SERVER_BINARY}
aws=${AWS_CLI:-/usr/bin/aws}
if [[ ! -x $aws ]]; then
  echo "awscli_test: $aws is missing (scripts/setup.sh installs Debian's awscli)" >&2
  exit 1
fi

work=$(mktemp -d)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# A clean CLI environment: no user configuration, no retries (a throttle must show), no pager.
export HOME=$work AWS_CONFIG_FILE=$work/none AWS_SHARED_CREDENTIALS_FILE=$work/none
export AWS_ACCESS_KEY_ID=AKIDNANOFAAS AWS_SECRET_ACCESS_KEY=nanofaas-secret
export AWS_DEFAULT_REGION=us-east-1 AWS_MAX_ATTEMPTS=1 AWS_PAGER=""

# The server prints its base URL first; wait for that line (the readiness signal).
mkfifo "$work/out"
"$server" --port 0 --key "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" > "$work/out" &
server_pid=$!
exec 3< "$work/out"
read -r -t 30 url <&3 || { echo "awscli_test: the server printed no URL" >&2; exit 1; }
[[ $url == http://127.0.0.1:* ]] || { echo "awscli_test: unexpected first line '$url'" >&2; exit 1; }

failures=0
lambda() { "$aws" lambda --endpoint-url "$url" "$@"; }
# expect NAME EXPECTED COMMAND...: the command's output (stdout and stderr) must contain EXPECTED.
expect() {
  local name=$1 expected=$2 output status=0
  shift 2
  output=$("$@" 2>&1) || status=$?
  if [[ $output == *"$expected"* ]]; then
    echo "ok   $name"
  else
    echo "FAIL $name: expected '$expected', got (exit $status): $output"
    failures=$((failures + 1))
  fi
}
body() { cat "$work/response.json"; }

expect "invoke" 200 lambda invoke --function-name echo --cli-binary-format raw-in-base64-out \
  --payload '{"order":42}' --query StatusCode "$work/response.json"
expect "invoke answers with the request" '{"order":42}' body
expect "invoke by ARN" '$LATEST' lambda invoke --cli-binary-format raw-in-base64-out \
  --function-name arn:aws:lambda:us-east-1:000000000000:function:echo --payload '{}' \
  --query ExecutedVersion --output text "$work/response.json"
expect "function error" Unhandled lambda invoke --function-name crash \
  --query FunctionError --output text "$work/response.json"
expect "function error body" '"errorMessage":"null order book"' body
expect "handled function error" Handled lambda invoke --function-name fail \
  --query FunctionError --output text "$work/response.json"
expect "timeout" Unhandled lambda invoke --function-name slow "$work/response.json"
expect "timeout body" Sandbox.Timedout body
expect "Event invoke" 202 lambda invoke --function-name echo --invocation-type Event \
  --cli-binary-format raw-in-base64-out --payload '{}' --query StatusCode "$work/response.json"
expect "DryRun" 204 lambda invoke --function-name echo --invocation-type DryRun \
  --query StatusCode "$work/response.json"
tail_log=$(lambda invoke --function-name logger --log-type Tail --cli-binary-format \
  raw-in-base64-out --payload '{"abc":1}' --query LogResult --output text "$work/response.json" |
  base64 -d)
expect "Tail log" "got 9 bytes" echo "$tail_log"
expect "Tail log REPORT line" "REPORT RequestId:" echo "$tail_log"
expect "unknown function" ResourceNotFoundException lambda invoke --function-name nope \
  "$work/response.json"
expect "throttle" "TooManyRequestsException" lambda invoke --function-name throttled \
  "$work/response.json"
expect "not JSON" InvalidRequestContentException lambda invoke --function-name echo \
  --cli-binary-format raw-in-base64-out --payload 'not json' "$work/response.json"

expect "list-functions" '"FunctionName": "echo"' lambda list-functions
expect "get-function" '"FunctionName": "echo"' lambda get-function --function-name echo
expect "get-function-configuration" '"Timeout": 3' lambda get-function-configuration \
  --function-name echo
expect "publish-version" '"Version": "1"' lambda publish-version --function-name echo
expect "create-alias" '"FunctionVersion": "1"' lambda create-alias --function-name echo \
  --name live --function-version 1
expect "invoke an alias" '"1"' lambda invoke --function-name echo --qualifier live \
  --query ExecutedVersion "$work/response.json"
expect "put-function-concurrency" '"ReservedConcurrentExecutions": 5' \
  lambda put-function-concurrency --function-name echo --reserved-concurrent-executions 5
expect "get-function-concurrency" '"ReservedConcurrentExecutions": 5' \
  lambda get-function-concurrency --function-name echo

# Refused: a wrong secret, an unknown key, and a request without a signature.
expect "wrong secret" InvalidSignatureException env AWS_SECRET_ACCESS_KEY=wrong \
  "$aws" lambda --endpoint-url "$url" list-functions
expect "unknown key" UnrecognizedClientException env AWS_ACCESS_KEY_ID=AKIDUNKNOWN \
  "$aws" lambda --endpoint-url "$url" list-functions
expect "unsigned" MissingAuthenticationTokenException "$aws" lambda --no-sign-request \
  --endpoint-url "$url" list-functions

# SIGTERM stops the server cleanly.
kill -TERM "$server_pid"
status=0
wait "$server_pid" || status=$?
server_pid=""
if (( status != 0 )); then
  echo "FAIL the server exited with $status on SIGTERM"
  failures=$((failures + 1))
fi
(( failures == 0 )) || { echo "awscli_test: $failures failed"; exit 1; }
echo "awscli_test: all passed"
