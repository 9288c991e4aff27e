//! What a dApp compiles against to receive CCMP messages, and the delivery status
//! integrators read. A receiver needs nothing but this crate.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{to_json_binary, Binary, CosmosMsg, HexBinary, StdResult, WasmMsg};

use crate::codec::Hash;
use crate::message::Message;

/// The payload the inbox sends to a message's recipient.
#[cw_serde]
pub struct CcmpReceiveMsg {
    /// The message id (hex): unique per lane position, the key to query its status.
    pub message_id: HexBinary,
    pub source_chain: String,
    /// The sending address on the source chain. Authenticate the source by checking
    /// `source_chain` and `sender`; `info.sender` is always the inbox.
    pub sender: String,
    pub nonce: u64,
    pub body: Binary,
}

/// The execute message a receiver must accept: add a `CcmpReceive(CcmpReceiveMsg)`
/// variant to the contract's own `ExecuteMsg`, which then parses
/// `{ "ccmp_receive": { ... } }` exactly as the inbox sends it. Return an error to
/// refuse a message: the inbox records it as failed, and it can be retried.
#[cw_serde]
pub enum ReceiverExecuteMsg {
    CcmpReceive(CcmpReceiveMsg),
}

impl CcmpReceiveMsg {
    pub fn new(message: &Message, message_id: &Hash) -> Self {
        CcmpReceiveMsg {
            message_id: HexBinary::from(message_id),
            source_chain: message.source_chain.clone(),
            sender: message.sender.clone(),
            nonce: message.nonce,
            body: message.body.clone(),
        }
    }

    /// The dispatch: `WasmMsg::Execute` to `recipient`, no funds.
    pub fn into_cosmos_msg(self, recipient: impl Into<String>) -> StdResult<CosmosMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: recipient.into(),
            msg: to_json_binary(&ReceiverExecuteMsg::CcmpReceive(self))?,
            funds: vec![],
        }
        .into())
    }
}

/// Where a message stands on its destination chain.
#[cw_serde]
#[derive(Copy, Eq)]
pub enum MessageStatus {
    /// Never seen by this inbox.
    Unknown,
    /// The receiver accepted it.
    Delivered,
    /// The receiver returned an error; `retry` dispatches it again.
    Failed,
    /// It reached the inbox at or after its timeout; the receiver was not called.
    TimedOut,
}

/// The answer to the inbox's `message_status` query.
#[cw_serde]
pub struct MessageStatusResponse {
    pub status: MessageStatus,
    pub message_id: Option<HexBinary>,
    /// The receiver's error, for a failed message.
    pub error: Option<String>,
    /// Dispatch attempts so far (0 for unknown and timed-out messages).
    pub attempts: u32,
    pub updated_at_height: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use cosmwasm_std::{from_json, to_json_string, Timestamp};

    #[test]
    fn dispatch_is_exactly_the_spec_shape() {
        let message = Message {
            nonce: 4,
            source_chain: "chain-a".into(),
            sender: "cosmwasm1dapp".into(),
            destination_chain: "chain-b".into(),
            recipient: "cosmwasm1receiver".into(),
            timeout_timestamp: Some(Timestamp::from_nanos(9)),
            body: Binary::from(b"{}".as_slice()),
        };
        let msg = CcmpReceiveMsg::new(&message, &[0xab; 32])
            .into_cosmos_msg("cosmwasm1receiver")
            .unwrap();
        let CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr,
            msg,
            funds,
        }) = msg
        else {
            panic!("not a wasm execute: {msg:?}");
        };
        assert_eq!(contract_addr, "cosmwasm1receiver");
        assert!(funds.is_empty());
        assert_eq!(
            String::from_utf8(msg.to_vec()).unwrap(),
            format!(
                r#"{{"ccmp_receive":{{"message_id":"{}","source_chain":"chain-a","sender":"cosmwasm1dapp","nonce":4,"body":"e30="}}}}"#,
                "ab".repeat(32)
            )
        );
        let parsed: ReceiverExecuteMsg = from_json(&msg).unwrap();
        assert_eq!(
            parsed,
            ReceiverExecuteMsg::CcmpReceive(CcmpReceiveMsg::new(&message, &[0xab; 32]))
        );
    }

    #[test]
    fn status_json() {
        let response = MessageStatusResponse {
            status: MessageStatus::TimedOut,
            message_id: None,
            error: None,
            attempts: 0,
            updated_at_height: Some(12),
        };
        assert_eq!(
            to_json_string(&response).unwrap(),
            r#"{"status":"timed_out","message_id":null,"error":null,"attempts":0,"updated_at_height":12}"#
        );
        assert_eq!(
            to_json_string(&MessageStatus::Unknown).unwrap(),
            r#""unknown""#
        );
    }
}
