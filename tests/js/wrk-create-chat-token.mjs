// Writes a wrk Lua script that replays one CreateChatToken request, signed
// with @smithy/signature-v4 (the AWS SDK's signer), against a running
// ivschat-emulator: the emulator verifies the signature of every replay (a
// signature stays valid for the allowed clock skew, 15 minutes). Creates the
// room first.
//
//   node tests/js/wrk-create-chat-token.mjs http://127.0.0.1:PORT > /tmp/cct.lua
//   wrk -t1 -c32 -d10s -s /tmp/cct.lua http://127.0.0.1:PORT
import { IvschatClient, CreateRoomCommand } from "@aws-sdk/client-ivschat";
import { SignatureV4 } from "@smithy/signature-v4";
import { Hash } from "@smithy/hash-node";

const endpoint = process.argv[2];
if (!endpoint) {
  console.error("usage: node wrk-create-chat-token.mjs http://127.0.0.1:PORT");
  process.exit(2);
}
const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const region = "us-west-2";
const room = await new IvschatClient({ endpoint, region, credentials }).send(new CreateRoomCommand({ name: "bench" }));

const url = new URL(endpoint);
const body = JSON.stringify({ roomIdentifier: room.arn, userId: "user-1", capabilities: ["SEND_MESSAGE"] });
const signer = new SignatureV4({ credentials, region, service: "ivschat", sha256: Hash.bind(null, "sha256") });
const signed = await signer.sign({
  method: "POST", protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path: "/CreateChatToken",
  headers: { host: url.host, "content-type": "application/json" }, body,
});
const lua = (s) => JSON.stringify(s);  // a JSON string literal is a valid Lua string literal here (ASCII)
console.log(`wrk.method = "POST"`);
console.log(`wrk.path = "/CreateChatToken"`);
console.log(`wrk.body = ${lua(body)}`);
for (const [name, value] of Object.entries(signed.headers)) {
  if (name.toLowerCase() === "host") continue;  // wrk sends Host: <host:port> itself, the value signed here
  console.log(`wrk.headers[${lua(name)}] = ${lua(value)}`);
}
