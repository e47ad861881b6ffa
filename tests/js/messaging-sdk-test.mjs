// Drives ivschat-emulator's Messaging WebSocket endpoint with the official IVS
// Chat messaging SDK for JavaScript (amazon-ivs-chat-messaging, with `ws` as
// Node's WebSocket), from tokens issued by CreateChatToken through the AWS SDK:
// send and receive, delete, disconnect, events from the control plane,
// capability, length and rate errors, token reuse, session expiry, DeleteRoom.
// Exits non-zero on any mismatch.
//
//   IVSCHAT_ENDPOINT=http://127.0.0.1:PORT IVSCHAT_MESSAGING_URL=ws://127.0.0.1:PORT \
//     node messaging-sdk-test.mjs
// The emulator must run with --chat-minute-seconds 2 (a one-minute session
// lasts two seconds); for wss, start node with NODE_EXTRA_CA_CERTS=<ca-bundle>.
import WebSocket from "ws";
import { ChatRoom, DeleteMessageRequest, DisconnectUserRequest, SendMessageRequest } from "amazon-ivs-chat-messaging";
import {
  CreateChatTokenCommand, CreateRoomCommand, DeleteMessageCommand, DeleteRoomCommand, DisconnectUserCommand,
  IvschatClient, SendEventCommand, UpdateRoomCommand,
} from "@aws-sdk/client-ivschat";
import { check, equal, tally } from "./checks.mjs";

// The SDK opens `new WebSocket(url, token)` on the global WebSocket, which Node 20 lacks.
globalThis.WebSocket = WebSocket;

const endpoint = process.env.IVSCHAT_ENDPOINT;
const messagingUrl = process.env.IVSCHAT_MESSAGING_URL;
if (!endpoint || !messagingUrl) {
  console.error("IVSCHAT_ENDPOINT and IVSCHAT_MESSAGING_URL must be set");
  process.exit(2);
}
const client = new IvschatClient({
  endpoint, region: "us-west-2", maxAttempts: 1,
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" },
});

const silent = { debug() {}, info() {}, error() {} };
const idPattern = /^[a-zA-Z0-9]{12}$/;

// Resolves when `predicate()` holds, polling; fails the check after `ms`.
async function until(predicate, what, ms = 10000) {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) {
      check(false, `timed out waiting for ${what}`);
      return false;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
async function rejection(promise) {
  try {
    await promise;
    return null;
  } catch (error) {
    return error;
  }
}

async function issueToken(roomArn, userId, capabilities = [], sessionDurationInMinutes = 180) {
  const t = await client.send(new CreateChatTokenCommand({
    roomIdentifier: roomArn, userId, capabilities, sessionDurationInMinutes, attributes: { nick: `${userId}!` },
  }));
  check(/^[A-Za-z0-9._-]+$/.test(t.token), `token of ${userId} is made of subprotocol characters`);
  return t;
}

// A ChatRoom of the SDK connected as `userId`, recording what it receives.
async function join(roomArn, userId, capabilities = [], { sessionMinutes = 180, provider } = {}) {
  const seen = { messages: [], events: [], deletes: [], kicks: [], disconnects: [], connects: 0, tokens: 0 };
  const room = new ChatRoom({
    regionOrUrl: messagingUrl,
    maxReconnectAttempts: 1,
    tokenProvider: provider ?? (async () => {
      seen.tokens++;
      // tokenExpirationTime is left out: with it the SDK replaces the
      // connection 30 s before the token expires, which is not under test.
      const t = await issueToken(roomArn, userId, capabilities, sessionMinutes);
      return { token: t.token, sessionExpirationTime: t.sessionExpirationTime };
    }),
  });
  room.logger = silent;
  room.addListener("message", (m) => seen.messages.push(m));
  room.addListener("event", (e) => seen.events.push(e));
  room.addListener("messageDelete", (e) => seen.deletes.push(e));
  room.addListener("userDisconnect", (e) => seen.kicks.push(e));
  room.addListener("disconnect", (reason) => seen.disconnects.push(reason));
  room.addListener("connect", () => seen.connects++);
  room.connect();
  if (!provider) await until(() => room.state === "connected", `${userId} to connect`);
  return { room, seen };
}

const { arn: roomArn } = await client.send(new CreateRoomCommand({ name: "sdk-proof" }));
const alice = await join(roomArn, "alice", ["SEND_MESSAGE"]);
const mod = await join(roomArn, "mod", ["SEND_MESSAGE", "DELETE_MESSAGE", "DISCONNECT_USER"]);
const viewer = await join(roomArn, "viewer");

// Send and receive: the sender's promise resolves on its own MESSAGE.
const sent = await alice.room.sendMessage(new SendMessageRequest("hello, émulateur 👋", { topic: "greeting" }));
check(idPattern.test(sent.id), `message id ${sent.id} is 12 alphanumerics`);
equal(sent.content, "hello, émulateur 👋", "content round trip");
equal(sent.attributes, { topic: "greeting" }, "message attributes");
equal(sent.sender, { userId: "alice", attributes: { nick: "alice!" } }, "sender from the token");
check(sent.sendTime instanceof Date && !isNaN(sent.sendTime), "sendTime parses");
await until(() => viewer.seen.messages.length === 1 && mod.seen.messages.length === 1, "the room to receive the message");
equal(viewer.seen.messages[0]?.id, sent.id, "the viewer got the same message");

// Delete from the Messaging API.
const deleted = await mod.room.deleteMessage(new DeleteMessageRequest(sent.id, "off topic"));
equal([deleted.messageId, deleted.reason], [sent.id, "off topic"], "DELETE_MESSAGE event to the requester");
await until(() => viewer.seen.deletes.length === 1, "the viewer to see the deletion");
equal(viewer.seen.deletes[0]?.messageId, sent.id, "the viewer's deletion event");

// Capability errors: 403, each to the requester only.
for (const [what, request] of [
  ["send", () => viewer.room.sendMessage(new SendMessageRequest("hi"))],
  ["delete", () => viewer.room.deleteMessage(new DeleteMessageRequest(sent.id))],
  ["disconnect", () => alice.room.disconnectUser(new DisconnectUserRequest("viewer", "no"))],
]) {
  const error = await rejection(request());
  equal(error?.errorCode, 403, `${what} without the capability`);
}

// Length (in code points) and rate errors; UpdateRoom applies to the next message.
await client.send(new UpdateRoomCommand({ identifier: roomArn, maximumMessageLength: 3 }));
equal((await alice.room.sendMessage(new SendMessageRequest("ééé"))).content, "ééé", "three code points fit in 3");
equal((await rejection(alice.room.sendMessage(new SendMessageRequest("abcd"))))?.errorCode, 400, "too long: 400");
await client.send(new UpdateRoomCommand({ identifier: roomArn, maximumMessageLength: 500, maximumMessageRatePerSecond: 2 }));
await new Promise((r) => setTimeout(r, 1100));
const burst = await Promise.allSettled([1, 2, 3, 4].map((i) => alice.room.sendMessage(new SendMessageRequest(`burst ${i}`))));
equal(burst.filter((r) => r.status === "fulfilled").length, 2, "two of four messages fit a rate of 2/s");
check(burst.filter((r) => r.status === "rejected").every((r) => r.reason.errorCode === 429), "the others are 429");

// Events from the control plane.
const event = await client.send(new SendEventCommand({ roomIdentifier: roomArn, eventName: "poll", attributes: { q: "tea?" } }));
await until(() => viewer.seen.events.length === 1, "the control plane's event");
equal([viewer.seen.events[0]?.id, viewer.seen.events[0]?.eventName, viewer.seen.events[0]?.attributes],
  [event.id, "poll", { q: "tea?" }], "SendEvent reaches clients");
await client.send(new DeleteMessageCommand({ roomIdentifier: roomArn, id: "AbCdEf123456", reason: "api" }));
await until(() => viewer.seen.deletes.length === 2, "DeleteMessage from the control plane");
equal(viewer.seen.deletes[1]?.messageId, "AbCdEf123456", "DeleteMessage reaches clients");

// Disconnect from both APIs: an event to the room, then a clean close.
const bob = await join(roomArn, "bob");
const kicked = await mod.room.disconnectUser(new DisconnectUserRequest("bob", "rude"));
equal([kicked.userId, kicked.reason], ["bob", "rude"], "DISCONNECT_USER event to the requester");
await until(() => bob.seen.disconnects.length === 1, "bob to be disconnected");
equal(bob.seen.disconnects, ["serverDisconnect"], "bob's disconnect reason");
await until(() => viewer.seen.kicks.length === 1, "the viewer to see bob leave");
const carol = await join(roomArn, "carol");
await client.send(new DisconnectUserCommand({ roomIdentifier: roomArn, userId: "carol", reason: "api" }));
await until(() => carol.seen.disconnects.length === 1, "carol to be disconnected by the control plane");
equal(carol.seen.disconnects, ["serverDisconnect"], "carol's disconnect reason");

// Token reuse: a token opens one connection only.
const once = await issueToken(roomArn, "dave");
const first = await join(roomArn, "dave", [], { provider: async () => ({ token: once.token }) });
await until(() => first.room.state === "connected", "the first use of a token");
const refusal = await new Promise((resolve) => {
  const socket = new WebSocket(messagingUrl, once.token);
  socket.on("unexpected-response", (request, response) => resolve(response.statusCode));
  socket.on("open", () => resolve("open"));
  socket.on("error", () => {});
});
equal(refusal, 401, "a reused token is refused at the upgrade");
const second = await join(roomArn, "dave", [], { provider: async () => ({ token: once.token }) });
await until(() => second.seen.disconnects.length === 1, "the SDK to give up on a used token");
equal(second.seen.disconnects, ["socketError"], "reused token: the SDK's socketError");
first.room.disconnect();

// Session expiry: ERROR 401 makes the SDK reconnect with a fresh token.
const brief = await join(roomArn, "erin", [], { sessionMinutes: 1 });
await until(() => brief.seen.connects === 2, "the SDK to reconnect after the session expired", 15000);
equal(brief.seen.tokens, 2, "a fresh token after the expiry");
brief.room.disconnect();
equal(brief.seen.disconnects, ["clientDisconnect"], "only the client's own disconnect");

// DeleteRoom closes every connection cleanly.
await client.send(new DeleteRoomCommand({ identifier: roomArn }));
for (const [name, member] of [["alice", alice], ["mod", mod], ["viewer", viewer]]) {
  await until(() => member.seen.disconnects.length === 1, `${name} to leave the deleted room`);
  equal(member.seen.disconnects, ["serverDisconnect"], `${name}'s reason after DeleteRoom`);
}

const { checks, failures } = tally();
console.log(`${checks - failures}/${checks} checks passed`);
process.exit(failures ? 1 : 0);
