//! What a dApp needs to send through an outbox, without depending on the outbox crate.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{
    to_json_binary, Binary, Coin, CosmosMsg, HexBinary, StdResult, Timestamp, WasmMsg,
};

/// The outbox's `send` execute message: `{ "send": { ... } }`.
#[cw_serde]
pub struct SendMsg {
    pub destination_chain: String,
    /// The receiving address on the destination chain.
    pub recipient: String,
    pub body: Binary,
    /// Destination block time at and after which the message is no longer delivered.
    pub timeout_timestamp: Option<Timestamp>,
}

/// The execute messages a dApp sends to an outbox. The outbox's own `ExecuteMsg` parses
/// the same JSON.
#[cw_serde]
pub enum OutboxExecuteMsg {
    Send(SendMsg),
}

/// The data of a successful `send` response.
#[cw_serde]
pub struct SendResponse {
    pub nonce: u64,
    pub message_id: HexBinary,
}

impl SendMsg {
    /// `send` as a message to `outbox`, with the destination's fee attached (no coins if
    /// the destination charges none).
    pub fn into_cosmos_msg(
        self,
        outbox: impl Into<String>,
        fee: Option<Coin>,
    ) -> StdResult<CosmosMsg> {
        Ok(WasmMsg::Execute {
            contract_addr: outbox.into(),
            msg: to_json_binary(&OutboxExecuteMsg::Send(self))?,
            funds: fee.into_iter().collect(),
        }
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_json() {
        let msg = SendMsg {
            destination_chain: "chain-b".into(),
            recipient: "cosmwasm1r".into(),
            body: Binary::from(b"x".as_slice()),
            timeout_timestamp: None,
        }
        .into_cosmos_msg("cosmwasm1outbox", Some(Coin::new(5u128, "untrn")))
        .unwrap();
        let CosmosMsg::Wasm(WasmMsg::Execute { msg, funds, .. }) = msg else {
            panic!("not a wasm execute");
        };
        assert_eq!(
            String::from_utf8(msg.to_vec()).unwrap(),
            r#"{"send":{"destination_chain":"chain-b","recipient":"cosmwasm1r","body":"eA==","timeout_timestamp":null}}"#
        );
        assert_eq!(funds, vec![Coin::new(5u128, "untrn")]);
    }
}
