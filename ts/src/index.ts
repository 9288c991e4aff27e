/**
 * @ccmp/client: typed CosmJS clients of the CCMP contracts (generated from schema/ with
 * @cosmwasm/ts-codegen) and the hand-written protocol layer: message encoding and ids,
 * Merkle and multiproof verification, send events and delivery tracking.
 */
export {
  CcmpOutboxClient,
  CcmpOutboxQueryClient,
  type CcmpOutboxInterface,
  type CcmpOutboxReadOnlyInterface,
} from "./generated/CcmpOutbox.client.js";
export {
  CcmpInboxClient,
  CcmpInboxQueryClient,
  type CcmpInboxInterface,
  type CcmpInboxReadOnlyInterface,
} from "./generated/CcmpInbox.client.js";
export {
  CcmpPingpongClient,
  CcmpPingpongQueryClient,
  type CcmpPingpongInterface,
  type CcmpPingpongReadOnlyInterface,
} from "./generated/CcmpPingpong.client.js";
export * as OutboxTypes from "./generated/CcmpOutbox.types.js";
export * as InboxTypes from "./generated/CcmpInbox.types.js";
export * as PingpongTypes from "./generated/CcmpPingpong.types.js";

export type { Hash } from "./bytes.js";
export * from "./errors.js";
export {
  DEFAULT_MAX_BODY_BYTES,
  MAX_ADDRESS_BYTES,
  MAX_CHAIN_ID_BYTES,
  MESSAGE_VERSION,
  type Message,
  decodeMessage,
  encodeMessage,
  fromJsonMessage,
  messageId,
  messageIdOfBytes,
  toJsonMessage,
  validateAddress,
  validateChainId,
  validateMessage,
} from "./message.js";
export {
  EMPTY_ROOT,
  MAX_PROOF_HASHES,
  MAX_TREE_SIZE,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";
export {
  type DeliverBatchMsg,
  buildDeliverBatch,
  decodeBatchProof,
  encodeBatchProof,
  multiproof,
  verifyDeliverBatch,
  verifyMultiproof,
} from "./multiproof.js";
export { SEND_EVENT_TYPE, type SendEvent, type TxEvent, type TxWithEvents, decodeSendEvents } from "./events.js";
export {
  type ContractQuerier,
  type WaitForDeliveryOptions,
  parseMessageStatus,
  queryMessageStatus,
  waitForDelivery,
} from "./delivery.js";
