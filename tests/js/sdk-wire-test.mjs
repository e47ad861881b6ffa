// Drives ivschat-emulator with the official AWS SDK for JavaScript v3
// (@aws-sdk/client-ivschat): all 17 operations, typed errors, pagination,
// signature failures and injected faults. Exits non-zero on any mismatch.
//
//   IVSCHAT_ENDPOINT=http://127.0.0.1:PORT node sdk-wire-test.mjs
// (for https, start node with NODE_EXTRA_CA_CERTS=<the emulator's ca-bundle>).
// The emulator must run with the default example credentials and --max-rooms 25.
import {
  IvschatClient, ConflictException, ResourceNotFoundException, ServiceQuotaExceededException,
  ThrottlingException, ValidationException, paginateListLoggingConfigurations, paginateListRooms,
  CreateChatTokenCommand, CreateLoggingConfigurationCommand, CreateRoomCommand, DeleteLoggingConfigurationCommand,
  DeleteMessageCommand, DeleteRoomCommand, DisconnectUserCommand, GetLoggingConfigurationCommand, GetRoomCommand,
  ListLoggingConfigurationsCommand, ListRoomsCommand, ListTagsForResourceCommand, SendEventCommand,
  TagResourceCommand, UntagResourceCommand, UpdateLoggingConfigurationCommand, UpdateRoomCommand,
} from "@aws-sdk/client-ivschat";
import { check, equal, tally } from "./checks.mjs";

const endpoint = process.env.IVSCHAT_ENDPOINT;
if (!endpoint) {
  console.error("IVSCHAT_ENDPOINT is not set");
  process.exit(2);
}
const region = "us-west-2";
const exampleCredentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const client = new IvschatClient({ endpoint, region, credentials: exampleCredentials, maxAttempts: 1 });

async function expectError(promise, type, what, inspect = () => {}) {
  try {
    await promise;
    check(false, `${what}: expected ${type.name ?? type}, got success`);
  } catch (err) {
    const typed = typeof type === "string" ? err.name === type : err instanceof type;
    check(typed, `${what}: expected ${type.name ?? type}, got ${err.name}: ${err.message}`);
    if (typed) inspect(err);
  }
}
async function control(method, path, body) {
  const response = await fetch(`${endpoint}/_emulator/${path}`, {
    method,
    // The control API wants JSON on every request but GET.
    headers: method === "GET" ? {} : { "content-type": "application/json" },
    body: body ? JSON.stringify(body) : undefined,
  });
  check(response.ok, `control ${method} ${path}: HTTP ${response.status}`);
  return response.json();
}
const idPattern = /^[a-zA-Z0-9]{12}$/;
const roomArnPattern = /^arn:aws:ivschat:us-west-2:123456789012:room\/[a-zA-Z0-9]{12}$/;
const loggingArnPattern = /^arn:aws:ivschat:us-west-2:123456789012:logging-configuration\/[a-zA-Z0-9]{12}$/;

await control("POST", "reset");

// Logging configurations.
const logging = await client.send(new CreateLoggingConfigurationCommand({
  name: "chat-logs",
  destinationConfiguration: { s3: { bucketName: "my-chat-logs" } },
  tags: { team: "video" },
}));
check(loggingArnPattern.test(logging.arn), `logging configuration ARN ${logging.arn}`);
check(idPattern.test(logging.id) && logging.arn.endsWith(logging.id), "logging configuration id");
equal(logging.state, "ACTIVE", "logging configuration state");
equal(logging.destinationConfiguration, { s3: { bucketName: "my-chat-logs" } }, "logging destination");
check(logging.createTime instanceof Date && logging.updateTime instanceof Date, "logging times are dates");
equal(logging.tags, { team: "video" }, "logging tags");

const gotLogging = await client.send(new GetLoggingConfigurationCommand({ identifier: logging.arn }));
equal(gotLogging.name, "chat-logs", "GetLoggingConfiguration name");
equal(gotLogging.createTime?.getTime(), logging.createTime.getTime(), "GetLoggingConfiguration createTime");

const updatedLogging = await client.send(new UpdateLoggingConfigurationCommand({
  identifier: logging.arn,
  name: "chat-logs-2",
  destinationConfiguration: { cloudWatchLogs: { logGroupName: "/ivs/chat" } },
}));
equal(updatedLogging.name, "chat-logs-2", "UpdateLoggingConfiguration name");
equal(updatedLogging.destinationConfiguration, { cloudWatchLogs: { logGroupName: "/ivs/chat" } }, "updated destination");
equal(updatedLogging.state, "ACTIVE", "updated state");

const secondLogging = await client.send(new CreateLoggingConfigurationCommand({
  destinationConfiguration: { firehose: { deliveryStreamName: "chat-stream" } },
}));
const allLogging = [];
for await (const page of paginateListLoggingConfigurations({ client, pageSize: 1 }, {})) {
  check(page.loggingConfigurations.length <= 1, "ListLoggingConfigurations page size");
  allLogging.push(...page.loggingConfigurations);
}
equal(allLogging.map((c) => c.arn).sort(), [logging.arn, secondLogging.arn].sort(), "ListLoggingConfigurations pages");
const listedLogging = await client.send(new ListLoggingConfigurationsCommand({ maxResults: 50 }));
equal(listedLogging.nextToken, undefined, "ListLoggingConfigurations last page has no nextToken");
equal(listedLogging.loggingConfigurations[0].arn, secondLogging.arn, "newest update first");

// Rooms.
const room = await client.send(new CreateRoomCommand({
  name: "lobby",
  maximumMessageRatePerSecond: 5,
  maximumMessageLength: 200,
  messageReviewHandler: { uri: "arn:aws:lambda:us-west-2:123456789012:function:review", fallbackResult: "DENY" },
  tags: { env: "test" },
  loggingConfigurationIdentifiers: [logging.arn],
}));
check(roomArnPattern.test(room.arn), `room ARN ${room.arn}`);
check(idPattern.test(room.id) && room.arn.endsWith(room.id), "room id");
equal([room.name, room.maximumMessageRatePerSecond, room.maximumMessageLength], ["lobby", 5, 200], "room settings");
equal(room.messageReviewHandler, { uri: "arn:aws:lambda:us-west-2:123456789012:function:review", fallbackResult: "DENY" }, "handler");
equal(room.loggingConfigurationIdentifiers, [logging.arn], "room logging configurations");
equal(room.tags, { env: "test" }, "room tags");

const defaults = await client.send(new CreateRoomCommand({}));
equal([defaults.maximumMessageRatePerSecond, defaults.maximumMessageLength], [10, 500], "room defaults");

const gotRoom = await client.send(new GetRoomCommand({ identifier: room.arn }));
equal(gotRoom.name, "lobby", "GetRoom name");
equal(gotRoom.createTime?.getTime(), room.createTime.getTime(), "GetRoom createTime");

const updatedRoom = await client.send(new UpdateRoomCommand({
  identifier: room.arn, name: "lobby-2", maximumMessageLength: 300, loggingConfigurationIdentifiers: [],
}));
equal([updatedRoom.name, updatedRoom.maximumMessageLength, updatedRoom.maximumMessageRatePerSecond], ["lobby-2", 300, 5], "UpdateRoom");
check(updatedRoom.updateTime.getTime() >= room.updateTime.getTime(), "UpdateRoom moves updateTime");

// Pagination: 7 more rooms named "page", walked 3 at a time.
const pageRooms = [];
for (let i = 0; i < 7; i++) pageRooms.push((await client.send(new CreateRoomCommand({ name: "page" }))).arn);
const walked = [];
let pages = 0;
for await (const page of paginateListRooms({ client, pageSize: 3 }, { name: "page" })) {
  pages++;
  check(page.rooms.length <= 3, "ListRooms page size");
  walked.push(...page.rooms.map((r) => r.arn));
}
equal(pages, 3, "ListRooms page count");
equal([...walked].sort(), [...pageRooms].sort(), "ListRooms pages cover every room once");
const everyRoom = await client.send(new ListRoomsCommand({}));
equal(everyRoom.rooms.length, 9, "ListRooms without filters");
const byHandler = await client.send(new ListRoomsCommand({ messageReviewHandlerUri: "arn:aws:lambda:us-west-2:123456789012:function:review" }));
equal(byHandler.rooms.map((r) => r.arn), [room.arn], "ListRooms by messageReviewHandlerUri");
const roomSummary = byHandler.rooms[0];
check(roomSummary.createTime instanceof Date && roomSummary.tags?.env === "test", "RoomSummary members");
await client.send(new UpdateRoomCommand({ identifier: defaults.arn, loggingConfigurationIdentifiers: [secondLogging.arn] }));
const byLogging = await client.send(new ListRoomsCommand({ loggingConfigurationIdentifier: secondLogging.arn }));
equal(byLogging.rooms.map((r) => r.arn), [defaults.arn], "ListRooms by loggingConfigurationIdentifier");
await expectError(client.send(new ListRoomsCommand({ nextToken: "not-a-token" })), ValidationException, "bad nextToken");

// Tokens and messaging.
const before = Date.now();
const token = await client.send(new CreateChatTokenCommand({
  roomIdentifier: room.arn, userId: "user-42", capabilities: ["SEND_MESSAGE", "DELETE_MESSAGE"],
  sessionDurationInMinutes: 30, attributes: { displayName: "Ada" },
}));
check(typeof token.token === "string" && token.token.length > 20, "chat token");
const sessionMinutes = (token.sessionExpirationTime.getTime() - before) / 60000;
check(sessionMinutes > 29 && sessionMinutes <= 30.1, `sessionExpirationTime ${token.sessionExpirationTime.toISOString()}`);
check(token.tokenExpirationTime <= token.sessionExpirationTime, "token expires before the session");
const defaultToken = await client.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: "u" }));
const defaultMinutes = (defaultToken.sessionExpirationTime.getTime() - before) / 60000;
check(defaultMinutes > 59 && defaultMinutes <= 60.1, "default session duration is 60 minutes");

const event = await client.send(new SendEventCommand({ roomIdentifier: room.arn, eventName: "app:poll", attributes: { q: "1" } }));
check(idPattern.test(event.id), `SendEvent id ${event.id}`);
const deleted = await client.send(new DeleteMessageCommand({ roomIdentifier: room.arn, id: "ABCDEFGHIJKL", reason: "spam" }));
check(idPattern.test(deleted.id), `DeleteMessage id ${deleted.id}`);
const disconnected = await client.send(new DisconnectUserCommand({ roomIdentifier: room.arn, userId: "user-42", reason: "bye" }));
equal(disconnected.$metadata.httpStatusCode, 200, "DisconnectUser status");

// Tags (the ARN travels percent-encoded in the path; tagKeys in the query).
await client.send(new TagResourceCommand({ resourceArn: room.arn, tags: { "a/b": "1", "c d": "2" } }));
equal((await client.send(new ListTagsForResourceCommand({ resourceArn: room.arn }))).tags,
      { "a/b": "1", "c d": "2", env: "test" }, "ListTagsForResource after TagResource");
await client.send(new UntagResourceCommand({ resourceArn: room.arn, tagKeys: ["a/b", "env"] }));
equal((await client.send(new ListTagsForResourceCommand({ resourceArn: room.arn }))).tags, { "c d": "2" }, "after UntagResource");
await client.send(new TagResourceCommand({ resourceArn: logging.arn, tags: { x: "y" } }));
equal((await client.send(new ListTagsForResourceCommand({ resourceArn: logging.arn }))).tags, { team: "video", x: "y" }, "logging tags");

// Typed errors.
const missingRoom = "arn:aws:ivschat:us-west-2:123456789012:room/AAAAAAAAAAAA";
await expectError(client.send(new GetRoomCommand({ identifier: missingRoom })), ResourceNotFoundException, "GetRoom missing",
  (e) => {
    equal(e.$metadata.httpStatusCode, 404, "not found status");
    equal([e.resourceId, e.resourceType], ["AAAAAAAAAAAA", "ROOM"], "not found members");
    check(typeof e.$metadata.requestId === "string" && e.$metadata.requestId.length > 0, "request id");
  });
for (const [name, command] of [
  ["UpdateRoom", new UpdateRoomCommand({ identifier: missingRoom })],
  ["DeleteRoom", new DeleteRoomCommand({ identifier: missingRoom })],
  ["CreateChatToken", new CreateChatTokenCommand({ roomIdentifier: missingRoom, userId: "u" })],
  ["SendEvent", new SendEventCommand({ roomIdentifier: missingRoom, eventName: "e" })],
  ["DeleteMessage", new DeleteMessageCommand({ roomIdentifier: missingRoom, id: "ABCDEFGHIJKL" })],
  ["DisconnectUser", new DisconnectUserCommand({ roomIdentifier: missingRoom, userId: "u" })],
  ["TagResource", new TagResourceCommand({ resourceArn: missingRoom, tags: { a: "b" } })],
  ["UntagResource", new UntagResourceCommand({ resourceArn: missingRoom, tagKeys: ["a"] })],
  ["ListTagsForResource", new ListTagsForResourceCommand({ resourceArn: missingRoom })],
  ["GetLoggingConfiguration", new GetLoggingConfigurationCommand({ identifier: "arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AAAAAAAAAAAA" })],
]) await expectError(client.send(command), ResourceNotFoundException, `${name} on a missing resource`);

await expectError(client.send(new CreateRoomCommand({ maximumMessageLength: 1000, name: "n".repeat(129) })), ValidationException,
  "CreateRoom constraints", (e) => {
    equal(e.$metadata.httpStatusCode, 400, "validation status");
    equal(e.reason, "FIELD_VALIDATION_FAILED", "validation reason");
    equal((e.fieldList ?? []).map((f) => f.name).sort(), ["maximumMessageLength", "name"], "fieldList names");
    check((e.fieldList ?? []).every((f) => typeof f.message === "string" && f.message.length > 0), "fieldList messages");
  });
await expectError(client.send(new CreateChatTokenCommand({ roomIdentifier: room.arn })), ValidationException, "missing userId",
  (e) => equal((e.fieldList ?? []).map((f) => f.name), ["userId"], "missing userId field"));
await expectError(client.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: "u", attributes: { big: "x".repeat(1100) } })),
  ValidationException, "attributes over 1 KB");
await expectError(client.send(new CreateChatTokenCommand({ roomIdentifier: room.arn, userId: "u", sessionDurationInMinutes: 181 })),
  ValidationException, "sessionDurationInMinutes over 180");
await expectError(client.send(new GetRoomCommand({ identifier: "not-an-arn" })), ValidationException, "GetRoom bad identifier");
await expectError(client.send(new CreateLoggingConfigurationCommand({ destinationConfiguration: { s3: { bucketName: "x" } } })),
  ValidationException, "bucket name too short");
const tooManyTags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
await expectError(client.send(new TagResourceCommand({ resourceArn: room.arn, tags: tooManyTags })), ValidationException, "51 tags");
await expectError(client.send(new CreateRoomCommand({ loggingConfigurationIdentifiers: ["arn:aws:ivschat:us-west-2:123456789012:logging-configuration/AAAAAAAAAAAA"] })),
  ResourceNotFoundException, "CreateRoom with a missing logging configuration");
await expectError(client.send(new DeleteLoggingConfigurationCommand({ identifier: secondLogging.arn })), ConflictException,
  "deleting an attached logging configuration", (e) => equal(e.$metadata.httpStatusCode, 409, "conflict status"));

// Quota: the emulator runs with --max-rooms 25.
await expectError((async () => { for (let i = 0; i < 30; i++) await client.send(new CreateRoomCommand({ name: "quota" })); })(),
  ServiceQuotaExceededException, "rooms quota", (e) => {
    equal(e.$metadata.httpStatusCode, 402, "quota status");
    equal([e.limit, e.resourceType], [25, "ROOM"], "quota members");
  });

// Signatures.
const wrongSecret = new IvschatClient({ endpoint, region, maxAttempts: 1, credentials: { ...exampleCredentials, secretAccessKey: "wrong" } });
await expectError(wrongSecret.send(new GetRoomCommand({ identifier: room.arn })), "InvalidSignatureException", "wrong secret",
  (e) => equal(e.$metadata.httpStatusCode, 403, "signature status"));
const unknownKey = new IvschatClient({ endpoint, region, maxAttempts: 1, credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" } });
await expectError(unknownKey.send(new GetRoomCommand({ identifier: room.arn })), "UnrecognizedClientException", "unknown key");
const wrongRegion = new IvschatClient({ endpoint, region: "eu-west-1", maxAttempts: 1, credentials: exampleCredentials });
await expectError(wrongRegion.send(new GetRoomCommand({ identifier: room.arn })), "InvalidSignatureException", "wrong region");
// A client whose clock is an hour off is refused, then corrects itself from the Date header and succeeds.
const skewed = new IvschatClient({ endpoint, region, credentials: exampleCredentials, systemClockOffset: -3600 * 1000 });
equal((await skewed.send(new GetRoomCommand({ identifier: room.arn }))).arn, room.arn, "clock skew corrected from Date");

// Injected faults through the control API.
await control("POST", "faults", { actions: ["throttle"] });
await expectError(client.send(new GetRoomCommand({ identifier: room.arn })), ThrottlingException, "injected throttle",
  (e) => equal(e.$metadata.httpStatusCode, 429, "throttle status"));
const retrying = new IvschatClient({ endpoint, region, credentials: exampleCredentials, maxAttempts: 3 });
await control("POST", "faults", { actions: ["503", "500"] });
const afterRetries = await retrying.send(new GetRoomCommand({ identifier: room.arn }));
equal(afterRetries.$metadata.attempts, 3, "SDK retried 503 and 500");
await control("POST", "faults", { actions: ["reset"] });
equal((await retrying.send(new GetRoomCommand({ identifier: room.arn }))).arn, room.arn, "retried after a reset connection");
const stats = await control("GET", "stats");
check(stats.faultsApplied["503"] === 1 && stats.faultsApplied["500"] === 1 && stats.faultsApplied.reset === 1, "fault counters");
check(stats.requestsPerOperation.GetRoom > 0 && stats.connectionsAccepted > 0, "request counters");

// Deletion answers 204; the resources are gone afterwards.
await client.send(new UpdateRoomCommand({ identifier: defaults.arn, loggingConfigurationIdentifiers: [] }));
const deletedLogging = await client.send(new DeleteLoggingConfigurationCommand({ identifier: secondLogging.arn }));
equal(deletedLogging.$metadata.httpStatusCode, 204, "DeleteLoggingConfiguration status");
const deletedRoom = await client.send(new DeleteRoomCommand({ identifier: room.arn }));
equal(deletedRoom.$metadata.httpStatusCode, 204, "DeleteRoom status");
await expectError(client.send(new GetRoomCommand({ identifier: room.arn })), ResourceNotFoundException, "deleted room");
await expectError(client.send(new GetLoggingConfigurationCommand({ identifier: secondLogging.arn })), ResourceNotFoundException,
  "deleted logging configuration");

const { checks, failures } = tally();
if (failures > 0) {
  console.error(`${failures} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`all ${checks} checks passed (17 operations via @aws-sdk/client-ivschat)`);
