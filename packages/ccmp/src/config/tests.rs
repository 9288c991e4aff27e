use super::*;
use crate::deploy::{ChainDeployment, Contract};

const EXAMPLE: &str = include_str!("../../examples/localnet.toml");

fn example() -> Config {
    Config::parse(EXAMPLE).unwrap()
}

/// The example with `from` replaced by `to` (which must occur).
fn edited(from: &str, to: &str) -> String {
    assert!(EXAMPLE.contains(from), "{from:?} is not in the example");
    EXAMPLE.replacen(from, to, 1)
}

fn contract(address: &str, height: u64) -> Contract {
    Contract {
        address: address.into(),
        code_id: 1,
        checksum: "00".into(),
        height,
    }
}

fn deployment() -> Deployment {
    let mut deployment = Deployment::default();
    for (chain, height) in [("ccmp-a", 7), ("ccmp-b", 9)] {
        deployment.chains.insert(
            chain.into(),
            ChainDeployment {
                outbox: contract(&format!("outbox-{chain}"), height),
                inbox: contract(&format!("inbox-{chain}"), height + 1),
                pingpong: None,
            },
        );
    }
    deployment
}

#[test]
fn the_example_parses_and_validates() {
    let config = example();
    assert_eq!(config.chains.len(), 2);
    let a = &config.chains["ccmp-a"];
    assert_eq!(a.rpc, "http://127.0.0.1:26657");
    assert_eq!((a.gas_multiplier, a.max_gas), (1.3, 30_000_000));
    // Defaults where the example leaves fields out.
    let b = &config.chains["ccmp-b"];
    assert_eq!((b.tx_timeout_seconds, b.events_chunk), (60, 1_000));
    assert_eq!(config.lanes.len(), 2);
    assert_eq!(
        config.attester_source().unwrap(),
        ("ccmp-a".to_string(), vec!["ccmp-b".to_string()])
    );
    let deploy = config.deploy.as_ref().unwrap();
    assert!(deploy.dapp);
    assert_eq!(deploy.attesters["ccmp-a"].threshold, 2);
    assert_eq!(
        config.relayer_chains().unwrap(),
        vec!["ccmp-a".to_string(), "ccmp-b".to_string()]
    );
}

#[test]
fn the_relay_service_config_comes_from_the_lanes_and_the_deployment() {
    let config = example();
    let service = config.relay_service_config(&deployment()).unwrap();
    assert_eq!(service.lanes.len(), 2);
    let ab = &service.lanes[0];
    assert_eq!(
        (
            ab.source_chain.as_str(),
            ab.destination_chain.as_str(),
            ab.source_outbox.as_str(),
            ab.destination_inbox.as_str(),
            ab.start_height
        ),
        ("ccmp-a", "ccmp-b", "outbox-ccmp-a", "inbox-ccmp-b", 7)
    );
    assert_eq!(ab.attesters.len(), 3);
    assert_eq!(service.lanes[1].attesters[0].url, "http://127.0.0.1:9474");
    assert_eq!(service.metrics_address.as_deref(), Some("127.0.0.1:9100"));
    // A deployment without one of the chains is named.
    let mut partial = deployment();
    partial.chains.remove("ccmp-b");
    let err = config.relay_service_config(&partial).unwrap_err();
    assert_eq!(err.field, "deployment.file");
    assert!(err.reason.contains("run `ccmp deploy` first"), "{err}");
}

#[test]
fn unknown_fields_and_malformed_toml_are_one_line_errors_with_the_place() {
    for (text, expected) in [
        (
            edited("rpc = \"http://127.0.0.1:26657\"", "rpcc = \"x\""),
            "unknown field `rpcc`",
        ),
        (
            edited("[relayer.gas]", "[relayer.gas]\nmultiplyer = 2"),
            "unknown field `multiplyer`",
        ),
        (edited("[deployment]", "[deployment"), "line "),
        (
            edited("max_gas = 30000000", "max_gas = \"lots\""),
            "max_gas",
        ),
    ] {
        let err = Config::parse(&text).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains(expected), "{shown}");
        assert!(shown.contains("line "), "{shown}");
        assert!(!shown.contains('\n'), "{shown:?}");
    }
}

#[test]
fn every_invalid_value_is_named_by_its_field() {
    let cases = [
        ("rpc = \"http://127.0.0.1:26657\"", "rpc = \"127.0.0.1:26657\"", "chains.ccmp-a.rpc"),
        ("rpc = \"http://127.0.0.1:26657\"", "rpc = \"ftp://x\"", "chains.ccmp-a.rpc"),
        ("prefix = \"ccmpa\"", "prefix = \"\"", "chains.ccmp-a.prefix"),
        ("fee_denom = \"stake\"", "fee_denom = \"1x\"", "chains.ccmp-a.fee_denom"),
        ("gas_price = 0.025", "gas_price = -1.0", "chains.ccmp-a.gas_price"),
        ("gas_multiplier = 1.3", "gas_multiplier = 0.5", "chains.ccmp-a.gas_multiplier"),
        ("max_gas = 30000000", "max_gas = 10", "chains.ccmp-a.max_gas"),
        ("key_file = \"keys/account-a.json\"", "key_file = \"\"", "chains.ccmp-a.key_file"),
        ("tx_timeout_seconds = 60", "tx_timeout_seconds = 0", "chains.ccmp-a.tx_timeout_seconds"),
        ("events_chunk = 1000", "events_chunk = 0", "chains.ccmp-a.events_chunk"),
        ("file = \"deployment.json\"", "file = \"\"", "deployment.file"),
        ("source = \"ccmp-a\"\ndestination", "source = \"ccmp-c\"\ndestination", "lanes[0].source"),
        ("destination = \"ccmp-b\"", "destination = \"ccmp-a\"", "lanes[0].destination"),
        ("[[lanes]]\nsource = \"ccmp-b\"\ndestination = \"ccmp-a\"", "[[lanes]]\nsource = \"ccmp-a\"\ndestination = \"ccmp-b\"", "lanes[1]"),
        ("listen = \"127.0.0.1:9464\"", "listen = \"localhost\"", "attester.listen"),
        ("store_dir = \"attester\"", "store_dir = \"\"", "attester.store_dir"),
        ("key_file = \"keys/attester-1.json\"", "key_file = \"\"", "attester.key_file"),
        (
            "lanes = [{ source = \"ccmp-a\", destination = \"ccmp-b\" }]\npoll",
            "lanes = [{ source = \"ccmp-a\", destination = \"ccmp-b\" }, { source = \"ccmp-b\", destination = \"ccmp-a\" }]\npoll",
            "attester.lanes",
        ),
        ("poll_interval_ms = 1000            #", "poll_interval_ms = 1            #", "attester.poll_interval_ms"),
        ("metrics_listen = \"127.0.0.1:9100\"", "metrics_listen = \":9100\"", "relayer.metrics_listen"),
        ("{ url = \"http://127.0.0.1:9465\" }", "{ url = \"https://127.0.0.1:9465\" }", "relayer.attesters.ccmp-a[1].url"),
        ("ccmp-b = [\n  { url = \"http://127.0.0.1:9474\" },", "ccmp-b = [\n  { url = \"not a url\" },", "relayer.attesters.ccmp-b[0].url"),
        ("ccmp-b = [\n  { url = \"http://127.0.0.1:9474\" },\n  { url = \"http://127.0.0.1:9475\" },\n  { url = \"http://127.0.0.1:9476\" },\n]", "ccmp-b = []", "relayer.attesters.ccmp-b"),
        ("multiplier = 1.3                    #", "multiplier = 99.0                    #", "relayer.gas.multiplier"),
        ("max_messages = 100", "max_messages = 0", "relayer.batch.max_messages"),
        ("initial_ms = 200", "initial_ms = 0", "relayer.backoff.initial_ms"),
        ("threshold = 2", "threshold = 4", "deploy.attesters.ccmp-a"),
        ("[deploy.attesters.ccmp-b]", "[deploy.attesters.ccmp-c]", "deploy.attesters.ccmp-c"),
        ("wasm_dir = \"../../../artifacts\"", "wasm_dir = \"\"", "deploy.wasm_dir"),
    ];
    for (from, to, field) in cases {
        let err = Config::parse(&edited(from, to)).unwrap_err();
        assert_eq!(err.field, field, "{from:?} -> {to:?}: {err}");
        assert!(err.to_string().starts_with(&format!("{field}: ")), "{err}");
        assert!(!err.to_string().contains('\n'), "{err}");
    }
    // The error says what is wrong, e.g. a URL.
    let err =
        Config::parse(&edited("rpc = \"http://127.0.0.1:26657\"", "rpc = \"x\"")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("chains.ccmp-a.rpc: \"x\" is not a URL"),
        "{err}"
    );
}

#[test]
fn load_resolves_paths_against_the_file_and_names_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ccmp.toml");
    std::fs::write(&path, EXAMPLE).unwrap();
    let config = Config::load(&path).unwrap();
    assert_eq!(
        config.chains["ccmp-a"].key_file,
        dir.path().join("keys/account-a.json")
    );
    assert_eq!(config.deployment.file, dir.path().join("deployment.json"));
    assert_eq!(
        config.attester.as_ref().unwrap().store_dir,
        dir.path().join("attester")
    );
    let missing = dir.path().join("nope.toml");
    let err = Config::load(&missing).unwrap_err();
    assert_eq!(err.field, missing.display().to_string());
    assert!(
        err.reason.starts_with("cannot read the configuration"),
        "{err}"
    );
    std::fs::write(&path, "[chains.x]\nrpc = 1\n").unwrap();
    let err = Config::load(&path).unwrap_err();
    assert_eq!(err.field, path.display().to_string(), "{err}");
}
