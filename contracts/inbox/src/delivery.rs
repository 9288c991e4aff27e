//! Delivery (PROTOCOL.md §6–§7): proving messages against stored checkpoints, recording
//! their status before the receiver runs, dispatching them with a gas limit, catching a
//! receiver's failure, and retrying failed messages.

use std::collections::BTreeMap;

use ccmp_types::{validate_body, verify_inclusion, CcmpReceiveMsg, Hash, Message, MessageStatus};
use cosmwasm_std::{
    to_json_binary, Addr, Api, Binary, DepsMut, Env, HexBinary, Reply, Response, Storage, SubMsg,
    SubMsgResult,
};

use crate::error::ContractError;
use crate::events;
use crate::execute::{load_source, MIN_RECEIVE_GAS_LIMIT};
use crate::msg::{DeliverResponse, DeliveryItem, DeliveryOutcome, DeliveryResult};
use crate::state::{self, Config, Receipt, Source, StatusChunk};
use crate::util::to_proof;

/// The id of every receiver sub-message; which message it was travels in the payload.
pub const RECEIVE_REPLY_ID: u64 = 1;
/// A receiver's error is stored for integrators, cut to this many bytes so a receiver
/// cannot make the inbox store (and pay for) an arbitrarily long string.
pub const MAX_ERROR_BYTES: usize = 256;

/// A source as one batch sees it, with an ordered lane's next nonce.
struct BatchSource {
    source: Source,
    next_nonce: u64,
    next_nonce_changed: bool,
}

/// What a batch has read and changed. Statuses are written once per 128-nonce chunk at
/// the end, so the messages of a batch share their writes.
#[derive(Default)]
struct Batch {
    sources: BTreeMap<String, BatchSource>,
    checkpoints: BTreeMap<(String, u64), Hash>,
    chunks: BTreeMap<(String, u64), (StatusChunk, bool)>,
}

impl Batch {
    fn source(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
    ) -> Result<&mut BatchSource, ContractError> {
        if !self.sources.contains_key(chain) {
            let source = load_source(storage, chain)?;
            if let Some(freeze) = &source.frozen {
                return Err(ContractError::SourceFrozen {
                    chain: chain.to_string(),
                    size: freeze.size,
                });
            }
            let next_nonce = if source.ordered {
                state::load_next_nonce(storage, chain)?
            } else {
                0
            };
            self.sources.insert(
                chain.to_string(),
                BatchSource {
                    source,
                    next_nonce,
                    next_nonce_changed: false,
                },
            );
        }
        self.sources
            .get_mut(chain)
            .ok_or_else(|| ContractError::UnknownSource {
                chain: chain.to_string(),
            })
    }

    fn checkpoint_root(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        size: u64,
    ) -> Result<Hash, ContractError> {
        let key = (chain.to_string(), size);
        if let Some(root) = self.checkpoints.get(&key) {
            return Ok(*root);
        }
        let root = state::load_checkpoint_root(storage, chain, size)?.ok_or_else(|| {
            ContractError::UnknownCheckpoint {
                chain: chain.to_string(),
                size,
            }
        })?;
        self.checkpoints.insert(key, root);
        Ok(root)
    }

    fn chunk(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
    ) -> Result<&mut (StatusChunk, bool), ContractError> {
        let key = (chain.to_string(), StatusChunk::index(nonce));
        if !self.chunks.contains_key(&key) {
            let chunk = state::load_status_chunk(storage, chain, key.1)?;
            self.chunks.insert(key.clone(), (chunk, false));
        }
        self.chunks
            .get_mut(&key)
            .ok_or_else(|| ContractError::UnknownSource {
                chain: chain.to_string(),
            })
    }

    fn status(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
    ) -> Result<MessageStatus, ContractError> {
        Ok(self.chunk(storage, chain, nonce)?.0.get(nonce))
    }

    fn set_status(
        &mut self,
        storage: &dyn Storage,
        chain: &str,
        nonce: u64,
        status: MessageStatus,
    ) -> Result<(), ContractError> {
        let entry = self.chunk(storage, chain, nonce)?;
        entry.0.set(nonce, status);
        entry.1 = true;
        Ok(())
    }

    fn write(self, storage: &mut dyn Storage) {
        for ((chain, index), (chunk, changed)) in &self.chunks {
            if *changed {
                state::save_status_chunk(storage, chain, *index, chunk);
            }
        }
        for (chain, source) in &self.sources {
            if source.next_nonce_changed {
                state::save_next_nonce(storage, chain, source.next_nonce);
            }
        }
    }
}

pub fn deliver(
    deps: DepsMut,
    env: Env,
    items: Vec<DeliveryItem>,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;
    if config.paused {
        return Err(ContractError::Paused);
    }
    if items.is_empty() {
        return Err(ContractError::EmptyBatch);
    }
    if items.len() > config.max_batch_size as usize {
        return Err(ContractError::BatchTooLarge {
            count: items.len(),
            max: config.max_batch_size,
        });
    }

    let mut batch = Batch::default();
    let mut results = Vec::with_capacity(items.len());
    let mut receipts = Vec::new();
    let mut response = Response::new();
    for item in items {
        let message = &item.message;
        let chain = message.source_chain.as_str();
        let nonce = message.nonce;
        let outcome = {
            let message_id = check_message(&config, message)?;
            let lane = batch.source(deps.storage, chain)?;
            let (ordered, gas_limit) = (lane.source.ordered, lane.source.receive_gas_limit);
            if ordered && nonce > lane.next_nonce {
                return Err(ContractError::NonceGap {
                    chain: chain.to_string(),
                    nonce,
                    expected: lane.next_nonce,
                });
            }
            // Processed before (in an earlier call or earlier in this one): nothing to do,
            // and no proof to check since nothing changes. No event either: an unproven
            // item must not put its claims into the chain's event log.
            let processed = (ordered && nonce < lane.next_nonce)
                || batch.status(deps.storage, chain, nonce)? != MessageStatus::Unknown;
            if processed {
                DeliveryOutcome::Skipped
            } else {
                prove(&mut batch, deps.storage, &item, &message_id)?;
                if ordered {
                    // Every outcome advances an ordered lane: a failing receiver never
                    // blocks the messages behind it.
                    let lane = batch.source(deps.storage, chain)?;
                    lane.next_nonce = nonce + 1;
                    lane.next_nonce_changed = true;
                }
                let (status, outcome) = if message.is_timed_out(env.block.time) {
                    response = response.add_event(events::deliver(
                        chain,
                        nonce,
                        &message_id,
                        events::status_name(MessageStatus::TimedOut),
                        None,
                    ));
                    (MessageStatus::TimedOut, DeliveryOutcome::TimedOut)
                } else {
                    match check_recipient(deps.api, &message.recipient, &env.contract.address) {
                        Ok(recipient) => {
                            // Written before the receiver runs: a reentrant deliver or retry
                            // of this message sees it processed.
                            response = response
                                .add_submessage(dispatch(
                                    message,
                                    &message_id,
                                    recipient,
                                    gas_limit,
                                )?)
                                .add_event(events::deliver(
                                    chain,
                                    nonce,
                                    &message_id,
                                    events::status_name(MessageStatus::Delivered),
                                    None,
                                ));
                            (MessageStatus::Delivered, DeliveryOutcome::Dispatched)
                        }
                        Err(reason) => {
                            response = response.add_event(events::deliver(
                                chain,
                                nonce,
                                &message_id,
                                events::status_name(MessageStatus::Failed),
                                Some(&reason),
                            ));
                            receipts.push((
                                chain.to_string(),
                                nonce,
                                Receipt {
                                    message_id: HexBinary::from(&message_id),
                                    error: Some(reason),
                                    attempts: 0,
                                    updated_at_height: env.block.height,
                                },
                            ));
                            (MessageStatus::Failed, DeliveryOutcome::Failed)
                        }
                    }
                };
                batch.set_status(deps.storage, chain, nonce, status)?;
                outcome
            }
        };
        results.push(DeliveryResult {
            source_chain: message.source_chain.clone(),
            nonce,
            outcome,
        });
    }

    // Every item has been checked: only now does anything get written.
    batch.write(deps.storage);
    for (chain, nonce, receipt) in &receipts {
        state::save_receipt(deps.storage, chain, *nonce, receipt)?;
    }
    Ok(response
        .add_attribute("action", "deliver")
        .set_data(to_json_binary(&DeliverResponse { results })?))
}

/// The checks on a message that need no storage: it is for this chain and within the
/// body limit, and it encodes (every limit of §2). Returns its id.
fn check_message(config: &Config, message: &Message) -> Result<Hash, ContractError> {
    if message.destination_chain != config.chain_id {
        return Err(ContractError::WrongDestination {
            expected: config.chain_id.clone(),
            got: message.destination_chain.clone(),
        });
    }
    validate_body(&message.body, config.max_body_bytes as usize)?;
    Ok(message.message_id()?)
}

/// The item's message id is leaf `nonce` of a stored checkpoint of its source.
fn prove(
    batch: &mut Batch,
    storage: &dyn Storage,
    item: &DeliveryItem,
    message_id: &Hash,
) -> Result<(), ContractError> {
    let chain = item.message.source_chain.as_str();
    let nonce = item.message.nonce;
    let size = item.checkpoint_size;
    let root = batch.checkpoint_root(storage, chain, size)?;
    if nonce >= size {
        return Err(ContractError::NonceOutsideCheckpoint { nonce, size });
    }
    let proof = to_proof(&item.proof)?;
    verify_inclusion(message_id, nonce, size, &proof, &root).map_err(|reason| {
        ContractError::InvalidInclusionProof {
            chain: chain.to_string(),
            nonce,
            size,
            reason,
        }
    })
}

/// A recipient must be an address of this chain and not this inbox: a message can only
/// ever reach some contract's `ccmp_receive`, never the inbox's own entry points. A
/// recipient that is an address but not a contract fails in its sub-message and is
/// caught like any receiver error.
fn check_recipient(api: &dyn Api, recipient: &str, inbox: &Addr) -> Result<Addr, String> {
    let address = api
        .addr_validate(recipient)
        .map_err(|_| format!("recipient {recipient:?} is not a valid address on this chain"))?;
    if address == *inbox {
        return Err("recipient is the inbox itself".to_string());
    }
    Ok(address)
}

/// The receiver call: `ccmp_receive`, no funds, a gas limit (so a receiver that runs out
/// of gas fails alone instead of aborting the batch), and a reply only on error (a
/// success costs no second call into the inbox).
fn dispatch(
    message: &Message,
    message_id: &Hash,
    recipient: Addr,
    gas_limit: u64,
) -> Result<SubMsg, ContractError> {
    let msg = CcmpReceiveMsg::new(message, message_id).into_cosmos_msg(recipient)?;
    Ok(SubMsg::reply_on_error(msg, RECEIVE_REPLY_ID)
        .with_gas_limit(gas_limit)
        .with_payload(encode_payload(
            &message.source_chain,
            message.nonce,
            message_id,
        )))
}

/// `nonce (8) || message id (32) || source chain`: which message a reply is about.
fn encode_payload(chain: &str, nonce: u64, message_id: &Hash) -> Binary {
    let mut payload = Vec::with_capacity(40 + chain.len());
    payload.extend_from_slice(&nonce.to_be_bytes());
    payload.extend_from_slice(message_id);
    payload.extend_from_slice(chain.as_bytes());
    Binary::new(payload)
}

fn decode_payload(payload: &[u8]) -> Result<(String, u64, Hash), ContractError> {
    let (nonce, rest) = payload
        .split_first_chunk::<8>()
        .ok_or(ContractError::MalformedPayload)?;
    let (message_id, chain) = rest
        .split_first_chunk::<32>()
        .ok_or(ContractError::MalformedPayload)?;
    let chain = String::from_utf8(chain.to_vec()).map_err(|_| ContractError::MalformedPayload)?;
    Ok((chain, u64::from_be_bytes(*nonce), *message_id))
}

/// A receiver failed (an error, a panic or out of gas): its state is already rolled back;
/// the message becomes `failed` with the error, and can be retried.
pub fn reply(deps: DepsMut, env: Env, reply: Reply) -> Result<Response, ContractError> {
    if reply.id != RECEIVE_REPLY_ID {
        return Err(ContractError::UnknownReply { id: reply.id });
    }
    let SubMsgResult::Err(error) = reply.result else {
        return Ok(Response::new());
    };
    let error = truncate(error, MAX_ERROR_BYTES);
    let (chain, nonce, message_id) = decode_payload(&reply.payload)?;
    state::save_status(deps.storage, &chain, nonce, MessageStatus::Failed)?;
    let receipt = match state::load_receipt(deps.storage, &chain, nonce)? {
        // A retry: it counted the attempt when it dispatched.
        Some(receipt) => Receipt {
            error: Some(error.clone()),
            updated_at_height: env.block.height,
            ..receipt
        },
        None => Receipt {
            message_id: HexBinary::from(&message_id),
            error: Some(error.clone()),
            attempts: 1,
            updated_at_height: env.block.height,
        },
    };
    state::save_receipt(deps.storage, &chain, nonce, &receipt)?;
    Ok(Response::new().add_event(events::deliver(
        &chain,
        nonce,
        &message_id,
        events::status_name(MessageStatus::Failed),
        Some(&error),
    )))
}

fn truncate(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Dispatches a failed message again. The message must be the one that failed (its id is
/// compared with the stored one, so no proof is needed), and a message whose timeout has
/// passed since becomes `timed_out` instead.
pub fn retry(
    deps: DepsMut,
    env: Env,
    message: Message,
    gas_limit: Option<u64>,
) -> Result<Response, ContractError> {
    let config = state::load_config(deps.storage)?;
    if config.paused {
        return Err(ContractError::Paused);
    }
    let chain = message.source_chain.as_str();
    let source = load_source(deps.storage, chain)?;
    if let Some(freeze) = &source.frozen {
        return Err(ContractError::SourceFrozen {
            chain: chain.to_string(),
            size: freeze.size,
        });
    }
    if message.destination_chain != config.chain_id {
        return Err(ContractError::WrongDestination {
            expected: config.chain_id,
            got: message.destination_chain,
        });
    }
    let message_id = message.message_id()?;
    let nonce = message.nonce;
    let status = state::load_status(deps.storage, chain, nonce)?;
    let receipt = match (status, state::load_receipt(deps.storage, chain, nonce)?) {
        (MessageStatus::Failed, Some(receipt)) => receipt,
        (status, _) => {
            return Err(ContractError::NotFailed {
                chain: chain.to_string(),
                nonce,
                status,
            })
        }
    };
    if receipt.message_id.as_slice() != message_id {
        return Err(ContractError::MessageMismatch {
            chain: chain.to_string(),
            nonce,
            stored: receipt.message_id.to_hex(),
            given: HexBinary::from(&message_id).to_hex(),
        });
    }
    let gas_limit = gas_limit.unwrap_or(source.receive_gas_limit);
    if gas_limit > source.max_receive_gas_limit {
        return Err(ContractError::GasLimitTooHigh {
            requested: gas_limit,
            max: source.max_receive_gas_limit,
        });
    }
    if gas_limit < MIN_RECEIVE_GAS_LIMIT {
        return Err(ContractError::GasLimitTooLow {
            requested: gas_limit,
            min: MIN_RECEIVE_GAS_LIMIT,
        });
    }

    let mut receipt = Receipt {
        updated_at_height: env.block.height,
        ..receipt
    };
    let mut response = Response::new().add_attribute("action", "retry");
    let status = if message.is_timed_out(env.block.time) {
        receipt.error = None;
        MessageStatus::TimedOut
    } else {
        let recipient = check_recipient(deps.api, &message.recipient, &env.contract.address)
            .map_err(|reason| ContractError::Undeliverable { reason })?;
        receipt.error = None;
        receipt.attempts = receipt.attempts.saturating_add(1);
        response = response.add_submessage(dispatch(&message, &message_id, recipient, gas_limit)?);
        MessageStatus::Delivered
    };
    // Written before the receiver runs, as in deliver: a reentrant retry sees it.
    state::save_status(deps.storage, chain, nonce, status)?;
    state::save_receipt(deps.storage, chain, nonce, &receipt)?;
    Ok(response.add_event(events::retry(
        chain,
        nonce,
        &message_id,
        receipt.attempts,
        status,
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_round_trips_and_refuses_garbage() {
        let payload = encode_payload("chain-a", 7, &[3; 32]);
        assert_eq!(
            decode_payload(&payload).unwrap(),
            ("chain-a".to_string(), 7, [3; 32])
        );
        assert!(matches!(
            decode_payload(&payload[..39]),
            Err(ContractError::MalformedPayload)
        ));
    }

    #[test]
    fn errors_are_cut_at_a_char_boundary() {
        assert_eq!(truncate("abc".into(), 2), "ab");
        assert_eq!(truncate("abc".into(), 3), "abc");
        // 'é' is two bytes: cutting inside it backs off to the boundary.
        assert_eq!(truncate("aé".into(), 2), "a");
        assert_eq!(
            truncate("x".repeat(1000), MAX_ERROR_BYTES).len(),
            MAX_ERROR_BYTES
        );
    }
}
