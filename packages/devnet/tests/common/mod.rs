#![allow(dead_code)]

use std::path::PathBuf;

use ccmp_devnet::{Chain, ChainConfig};
use ccmp_devnet_probe::msg::{ExecuteMsg, InstantiateMsg, ReplyAction};
use cosmwasm_std::{to_json_binary, Addr, Binary, ReplyOn, SubMsg, WasmMsg};

pub fn artifact(path: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../artifacts")
        .join(path);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; build it with scripts/build.sh", path.display()))
}

pub fn probe_wasm() -> Vec<u8> {
    artifact("test/ccmp_devnet_probe.wasm")
}

/// A chain with the probe stored as code 1 and a funded signer.
pub struct Suite {
    pub chain: Chain,
    pub code: u64,
    pub alice: Addr,
}

impl Suite {
    pub fn new() -> Suite {
        Suite::with_config(ChainConfig::new("devnet-1", "wasm"))
    }

    pub fn with_config(config: ChainConfig) -> Suite {
        let mut chain = Chain::new(config).unwrap();
        let code = chain.store_code(&probe_wasm()).unwrap();
        let alice = chain.account("alice");
        Suite { chain, code, alice }
    }

    pub fn probe(&mut self, label: &str) -> Addr {
        let (addr, _) = self
            .chain
            .instantiate(
                self.code,
                &self.alice,
                &InstantiateMsg::default(),
                &[],
                label,
            )
            .unwrap();
        addr
    }

    pub fn get(&self, contract: &Addr, key: &str) -> Option<String> {
        self.chain
            .raw_query(contract, key.as_bytes())
            .map(|v| String::from_utf8(v).unwrap())
    }
}

pub fn execute_msg(contract: &Addr, msg: &ExecuteMsg) -> WasmMsg {
    WasmMsg::Execute {
        contract_addr: contract.to_string(),
        msg: to_json_binary(msg).unwrap(),
        funds: vec![],
    }
}

pub fn sub(id: u64, msg: WasmMsg, reply_on: ReplyOn) -> SubMsg {
    SubMsg {
        id,
        payload: Binary::default(),
        msg: msg.into(),
        gas_limit: None,
        reply_on,
    }
}

pub fn payload(action: &ReplyAction) -> Binary {
    to_json_binary(action).unwrap()
}

pub fn dispatch(msgs: Vec<SubMsg>) -> ExecuteMsg {
    ExecuteMsg::Dispatch { msgs, data: None }
}

pub fn write(key: &str, value: &str) -> ExecuteMsg {
    ExecuteMsg::Write {
        key: key.to_string(),
        value: value.to_string(),
    }
}

pub fn write_then_fail(key: &str, error: &str) -> ExecuteMsg {
    ExecuteMsg::WriteThenFail {
        key: key.to_string(),
        value: "lost".to_string(),
        error: error.to_string(),
    }
}

/// How `StdError::msg(e)` reads once a contract returns it.
pub fn std_error(e: &str) -> String {
    format!("kind: Other, error: {e}")
}
