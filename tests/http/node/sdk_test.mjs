// Drives nanofaas_server with the AWS SDK for JavaScript v3: node sdk_test.mjs SERVER_BINARY
// Starts the server on a free loopback port with an access key, makes the Lambda calls through
// LambdaClient (SigV4-signed), checks the results and the SDK's typed exceptions, and stops the
// server by its PID.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import {
  LambdaClient, InvokeCommand, ListFunctionsCommand, GetFunctionCommand,
  PublishVersionCommand, CreateAliasCommand, PutFunctionConcurrencyCommand,
  ResourceNotFoundException, TooManyRequestsException, InvalidRequestContentException,
} from "@aws-sdk/client-lambda";

const serverBinary = process.argv[2];
if (!serverBinary) {
  console.error("usage: node sdk_test.mjs SERVER_BINARY");
  process.exit(2);
}
const key = { accessKeyId: "AKIDNODE", secretAccessKey: "node-secret" };
const server = spawn(serverBinary, ["--port", "0", "--key", `${key.accessKeyId}:${key.secretAccessKey}`],
                     { stdio: ["ignore", "pipe", "inherit"] });
const lines = createInterface({ input: server.stdout });
const url = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error("the server printed no URL")), 30000);
  lines.once("line", (line) => { clearTimeout(timer); resolve(line); });
  server.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
});

const client = (credentials = key) =>
  new LambdaClient({ endpoint: url, region: "us-east-1", credentials, maxAttempts: 1 });
const lambda = client();
const text = (bytes) => Buffer.from(bytes ?? []).toString();
const json = (value) => Buffer.from(JSON.stringify(value));

let failures = 0;
async function check(name, body) {
  try {
    await body();
    console.log(`ok   ${name}`);
  } catch (error) {
    failures += 1;
    console.log(`FAIL ${name}: ${error?.name}: ${error?.message}`);
  }
}
function equal(actual, expected, what) {
  if (actual !== expected) throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
async function rejects(promise, type, name) {
  try {
    await promise;
  } catch (error) {
    if (type && !(error instanceof type)) throw new Error(`expected ${type.name}, got ${error?.name}: ${error?.message}`);
    if (name) equal(error.name, name, "error name");
    return error;
  }
  throw new Error(`expected ${type?.name ?? name}, but the call succeeded`);
}

await check("invoke", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: json({ order: 42 }) }));
  equal(out.StatusCode, 200, "StatusCode");
  equal(text(out.Payload), '{"order":42}', "Payload");
  equal(out.ExecutedVersion, "$LATEST", "ExecutedVersion");
});
await check("invoke by ARN", async () => {
  const out = await lambda.send(new InvokeCommand({
    FunctionName: "arn:aws:lambda:us-east-1:000000000000:function:echo", Payload: json({}) }));
  equal(out.StatusCode, 200, "StatusCode");
});
await check("function error", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "crash" }));
  equal(out.FunctionError, "Unhandled", "FunctionError");
  equal(JSON.parse(text(out.Payload)).errorMessage, "null order book", "errorMessage");
});
await check("Event invoke", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "Event", Payload: json({}) }));
  equal(out.StatusCode, 202, "StatusCode");
});
await check("DryRun", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", InvocationType: "DryRun" }));
  equal(out.StatusCode, 204, "StatusCode");
});
await check("Tail log", async () => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: "logger", LogType: "Tail", Payload: json({ abc: 1 }) }));
  const log = Buffer.from(out.LogResult, "base64").toString();
  if (!log.includes("got 9 bytes") || !log.includes("REPORT RequestId:")) throw new Error(`log: ${log}`);
});
await check("ResourceNotFoundException", () =>
  rejects(lambda.send(new InvokeCommand({ FunctionName: "nope" })), ResourceNotFoundException));
await check("TooManyRequestsException", async () => {
  const error = await rejects(lambda.send(new InvokeCommand({ FunctionName: "throttled" })), TooManyRequestsException);
  equal(error.Reason, "ReservedFunctionConcurrentInvocationLimitExceeded", "Reason");
});
await check("InvalidRequestContentException", () =>
  rejects(lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: Buffer.from("not json") })),
          InvalidRequestContentException));
await check("list functions", async () => {
  const out = await lambda.send(new ListFunctionsCommand({}));
  if (!out.Functions.some((f) => f.FunctionName === "echo")) throw new Error("echo is not listed");
});
await check("get function", async () => {
  const out = await lambda.send(new GetFunctionCommand({ FunctionName: "echo" }));
  equal(out.Configuration.FunctionName, "echo", "FunctionName");
});
await check("publish version, alias, invoke through it", async () => {
  const version = await lambda.send(new PublishVersionCommand({ FunctionName: "echo" }));
  equal(version.Version, "1", "Version");
  const alias = await lambda.send(new CreateAliasCommand({ FunctionName: "echo", Name: "live", FunctionVersion: "1" }));
  equal(alias.FunctionVersion, "1", "FunctionVersion");
  const out = await lambda.send(new InvokeCommand({ FunctionName: "echo", Qualifier: "live", Payload: json({}) }));
  equal(out.ExecutedVersion, "1", "ExecutedVersion");
});
await check("put function concurrency", async () => {
  const out = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "echo", ReservedConcurrentExecutions: 5 }));
  equal(out.ReservedConcurrentExecutions, 5, "ReservedConcurrentExecutions");
});
await check("a wrong secret is refused", () =>
  rejects(client({ ...key, secretAccessKey: "wrong" }).send(new ListFunctionsCommand({})), null,
          "InvalidSignatureException"));
await check("an unknown key is refused", () =>
  rejects(client({ ...key, accessKeyId: "AKIDUNKNOWN" }).send(new ListFunctionsCommand({})), null,
          "UnrecognizedClientException"));

const exited = new Promise((resolve) => server.once("exit", (code, signal) => resolve({ code, signal })));
server.kill("SIGTERM");
const { code } = await exited;
await check("SIGTERM stops the server cleanly", async () => equal(code, 0, "exit code"));
console.log(failures === 0 ? "sdk_test: all passed" : `sdk_test: ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
