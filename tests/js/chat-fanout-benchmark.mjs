// Measures the emulator's Messaging endpoint: memory per idle chat connection
// and, for one sender fanning out to N connections in one room at the room's
// highest rate (100 messages/s), the frames delivered per second and the
// emulator's CPU time per delivered frame (utime+stime from /proc/PID/stat).
// Connections the emulator closes (a client too slow for its send queue) are
// counted in "closed".
//
//   taskset -c 0 build/bin/ivschat-emulator > /tmp/emu.out & EMU=$!
//   taskset -c 1 node tests/js/chat-fanout-benchmark.mjs $EMU $(head -1 /tmp/emu.out) \
//        $(sed -n 's/^messaging: //p' /tmp/emu.out) [connections=1000] [seconds=10] [messages/s=100]
import { readFileSync } from "node:fs";
import WebSocket from "ws";
import { CreateChatTokenCommand, CreateRoomCommand, IvschatClient } from "@aws-sdk/client-ivschat";

const [pid, endpoint, messagingUrl] = process.argv.slice(2, 5);
const connections = Number(process.argv[5] ?? 1000);
const seconds = Number(process.argv[6] ?? 10);
const perSecond = Number(process.argv[7] ?? 100);
if (!pid || !endpoint || !messagingUrl) {
  console.error("usage: chat-fanout-benchmark.mjs EMULATOR_PID ENDPOINT MESSAGING_URL [connections] [seconds]");
  process.exit(2);
}
const client = new IvschatClient({
  endpoint, region: "us-west-2", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
});
const ticksPerSecond = 100;  // USER_HZ on Linux
const cpuSeconds = () => {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return { user: Number(fields[11]) / ticksPerSecond, system: Number(fields[12]) / ticksPerSecond };
};
const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const { arn } = await client.send(new CreateRoomCommand({ maximumMessageRatePerSecond: 100 }));
async function open(userId, capabilities = []) {
  const { token } = await client.send(new CreateChatTokenCommand({ roomIdentifier: arn, userId, capabilities }));
  const socket = new WebSocket(messagingUrl, token);
  await new Promise((resolve, reject) => { socket.once("open", resolve); socket.once("error", reject); });
  return socket;
}

let delivered = 0, closed = 0;
const rssBefore = rssKiB();
const viewers = [];
for (let i = 0; i < connections; i += 50) {
  const batch = await Promise.all(Array.from({ length: Math.min(50, connections - i) }, (_, j) => open(`viewer-${i + j}`)));
  for (const socket of batch) {
    socket.on("message", () => { delivered++; });
    socket.on("close", () => { closed++; });
  }
  viewers.push(...batch);
}
await sleep(1000);
const rssIdle = rssKiB();

const sender = await open("sender", ["SEND_MESSAGE"]);
let accepted = 0, refused = 0;
sender.on("message", (data) => {
  const frame = JSON.parse(data);
  if (frame.Type === "MESSAGE") accepted++;
  else if (frame.Type === "ERROR") refused++;
});
const content = "x".repeat(100);
const cpu0 = cpuSeconds();
const start = performance.now();
sender.on("close", () => { closed++; });
// perSecond / 10 messages every 100 ms (the room allows 100 per second).
for (let tick = 0; tick < seconds * 10; tick++) {
  const due = start + tick * 100;
  const wait = due - performance.now();
  if (wait > 0) await sleep(wait);
  for (let k = 0; k < perSecond / 10; k++) sender.send(JSON.stringify({ Action: "SEND_MESSAGE", Content: content }));
}
// Until every message was answered (MESSAGE or ERROR) and every accepted one
// reached every viewer, or after 10 s without progress.
const sent = seconds * perSecond;
let last = -1, quiet = 0;
while ((accepted + refused < sent || delivered < accepted * connections) && quiet < 100) {
  await sleep(100);
  quiet = delivered + accepted + refused === last ? quiet + 1 : 0;
  last = delivered + accepted + refused;
}
const elapsed = (performance.now() - start) / 1000;
const cpu1 = cpuSeconds();
const frames = delivered + accepted;  // the sender receives its own messages too
const cpuUs = ((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)) * 1e6 / frames;
console.log(JSON.stringify({
  connections, seconds, messagesPerSecond: perSecond, closed,
  messagesAccepted: accepted, messagesRefused429: refused,
  framesDelivered: frames, wallSeconds: Number(elapsed.toFixed(2)),
  framesPerSecond: Math.round(frames / elapsed),
  emulatorCpuMicrosecondsPerFrame: Number(cpuUs.toFixed(2)),
  emulatorUserSeconds: Number((cpu1.user - cpu0.user).toFixed(2)),
  emulatorSystemSeconds: Number((cpu1.system - cpu0.system).toFixed(2)),
  rssKiBBefore: rssBefore, rssKiBWithIdleConnections: rssIdle,
  bytesPerIdleConnection: Math.round((rssIdle - rssBefore) * 1024 / connections),
}));
for (const socket of [...viewers, sender]) socket.terminate();
process.exit(0);
