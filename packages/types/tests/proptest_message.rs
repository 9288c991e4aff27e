//! Property tests of the message encoding (PROTOCOL.md §2): valid messages round-trip
//! through bytes and JSON, and `Message::decode` is total, strict and canonical on any
//! input.

use ccmp_types::{
    leaf_hash, sha256, CodecError, Message, MessageError, MAX_ADDRESS_BYTES, MAX_CHAIN_ID_BYTES,
};
use cosmwasm_std::{Binary, Timestamp};
use proptest::prelude::*;

/// version + nonce + four `str` length prefixes + timeout + body length.
const FIXED_BYTES: usize = 1 + 8 + 4 * 2 + 8 + 4;

/// A character allowed in a chain id: mostly printable ASCII, some hand-picked non-ASCII,
/// and any other character that is neither whitespace nor a control character.
fn chain_id_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => proptest::char::range('!', '~'),
        2 => proptest::sample::select(vec!['ü', 'ï', 'ø', 'é', 'ß', 'Ω', 'ж', '中', '链', '🚀']),
        1 => any::<char>().prop_filter("chain ids have no whitespace or control characters", |c| {
            !c.is_whitespace() && !c.is_control()
        }),
    ]
}

/// 1 to `max_bytes` bytes of UTF-8 built from `chars`, cut at a character boundary.
fn text(chars: impl Strategy<Value = char>, max_bytes: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(chars, 1..=max_bytes).prop_map(move |chars| {
        let mut text = String::new();
        for c in chars {
            if text.len() + c.len_utf8() > max_bytes {
                break;
            }
            text.push(c);
        }
        text
    })
}

fn chain_id() -> impl Strategy<Value = String> {
    text(chain_id_char(), MAX_CHAIN_ID_BYTES)
}

/// Addresses are any UTF-8 of 1 to 256 bytes: §2 limits only their length.
fn address() -> impl Strategy<Value = String> {
    text(
        prop_oneof![3 => proptest::char::range('0', 'z'), 1 => any::<char>()],
        MAX_ADDRESS_BYTES,
    )
}

fn valid_message() -> impl Strategy<Value = Message> {
    (
        any::<u64>(),
        chain_id(),
        address(),
        chain_id(),
        address(),
        proptest::option::of(1..=u64::MAX),
        proptest::collection::vec(any::<u8>(), 0..=2048),
    )
        .prop_map(
            |(nonce, source_chain, sender, destination_chain, recipient, timeout, body)| Message {
                nonce,
                source_chain,
                sender,
                destination_chain,
                recipient,
                timeout_timestamp: timeout.map(Timestamp::from_nanos),
                body: Binary::new(body),
            },
        )
}

fn is_unexpected_end(err: &MessageError) -> bool {
    matches!(
        err,
        MessageError::Codec(CodecError::UnexpectedEnd { needed, remaining, .. }) if remaining < needed
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_messages_round_trip(message in valid_message()) {
        prop_assert_eq!(message.validate(), Ok(()));
        let bytes = message.encode().unwrap();
        prop_assert_eq!(
            bytes.len(),
            FIXED_BYTES
                + message.source_chain.len()
                + message.sender.len()
                + message.destination_chain.len()
                + message.recipient.len()
                + message.body.len()
        );
        prop_assert_eq!(bytes[0], 1);
        prop_assert_eq!(&bytes[1..9], &message.nonce.to_be_bytes()[..]);
        prop_assert_eq!(&bytes[bytes.len() - message.body.len()..], message.body.as_slice());

        prop_assert_eq!(&Message::decode(&bytes).unwrap(), &message);

        let id = message.message_id().unwrap();
        let mut preimage = vec![0x00];
        preimage.extend_from_slice(&bytes);
        prop_assert_eq!(id, sha256(&preimage));
        prop_assert_eq!(id, leaf_hash(&bytes));
        prop_assert_eq!(message.encode_with_id().unwrap(), (bytes, id));
    }

    #[test]
    fn valid_messages_json_round_trip(message in valid_message()) {
        let json = cosmwasm_std::to_json_vec(&message).unwrap();
        prop_assert_eq!(&cosmwasm_std::from_json::<Message>(&json).unwrap(), &message);

        // Exactly the §6 fields; `version` is not one; no timeout is null.
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        let object = value.as_object().unwrap();
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        prop_assert_eq!(
            keys,
            vec![
                "body",
                "destination_chain",
                "nonce",
                "recipient",
                "sender",
                "source_chain",
                "timeout_timestamp"
            ]
        );
        prop_assert_eq!(&object["nonce"], &serde_json::json!(message.nonce));
        match message.timeout_timestamp {
            None => prop_assert!(object["timeout_timestamp"].is_null()),
            Some(t) => prop_assert_eq!(
                &object["timeout_timestamp"],
                &serde_json::json!(t.nanos().to_string())
            ),
        }
        // The id survives the JSON trip: a relayer re-encoding the JSON gets the same leaf.
        let back: Message = serde_json::from_value(value).unwrap();
        prop_assert_eq!(back.message_id().unwrap(), message.message_id().unwrap());
    }

    #[test]
    fn decode_is_total_and_canonical_on_arbitrary_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..=600),
    ) {
        // Never panics; whatever does decode is valid and re-encodes to the same bytes.
        if let Ok(message) = Message::decode(&bytes) {
            prop_assert_eq!(message.validate(), Ok(()));
            prop_assert_eq!(message.encode().unwrap(), bytes);
        }
    }

    #[test]
    fn decode_is_total_and_canonical_on_version_1_garbage(
        tail in proptest::collection::vec(any::<u8>(), 0..=600),
    ) {
        // Past the version byte, so the fields' readers see the garbage.
        let mut bytes = vec![1u8];
        bytes.extend_from_slice(&tail);
        if let Ok(message) = Message::decode(&bytes) {
            prop_assert_eq!(message.encode().unwrap(), bytes);
        }
    }

    #[test]
    fn decode_is_total_and_canonical_on_mutated_encodings(
        message in valid_message(),
        position in any::<proptest::sample::Index>(),
        xor in 1u8..=255,
    ) {
        let original = message.encode().unwrap();
        let mut bytes = original.clone();
        let at = position.index(bytes.len());
        bytes[at] ^= xor;
        match Message::decode(&bytes) {
            Ok(decoded) => {
                // A different encoding decodes to a different message with a different id.
                prop_assert_ne!(&decoded, &message);
                prop_assert_eq!(decoded.encode().unwrap(), bytes);
                prop_assert_ne!(decoded.message_id().unwrap(), message.message_id().unwrap());
            }
            Err(err) => {
                if at == 0 {
                    prop_assert_eq!(err, MessageError::UnsupportedVersion { version: 1 ^ xor });
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_strict_prefix_fails(message in valid_message()) {
        let bytes = message.encode().unwrap();
        for len in 0..bytes.len() {
            let err = Message::decode(&bytes[..len]).unwrap_err();
            prop_assert!(is_unexpected_end(&err), "prefix of {} bytes: {:?}", len, err);
        }
    }

    #[test]
    fn appended_bytes_fail(
        message in valid_message(),
        extra in proptest::collection::vec(any::<u8>(), 1..=16),
    ) {
        let bytes = message.encode().unwrap();
        let mut one_more = bytes.clone();
        one_more.push(extra[0]);
        prop_assert_eq!(
            Message::decode(&one_more),
            Err(MessageError::Codec(CodecError::TrailingBytes { count: 1 }))
        );
        let mut longer = bytes;
        longer.extend_from_slice(&extra);
        prop_assert_eq!(
            Message::decode(&longer),
            Err(MessageError::Codec(CodecError::TrailingBytes { count: extra.len() }))
        );
    }

    #[test]
    fn any_other_version_is_unsupported(
        message in valid_message(),
        version in any::<u8>().prop_filter("not v1", |v| *v != 1),
    ) {
        let mut bytes = message.encode().unwrap();
        bytes[0] = version;
        prop_assert_eq!(
            Message::decode(&bytes),
            Err(MessageError::UnsupportedVersion { version })
        );
    }

    #[test]
    fn decode_enforces_the_chain_id_rule(
        message in valid_message(),
        bad in proptest::sample::select(vec![' ', '\t', '\n', '\u{0}', '\u{7f}', '\u{a0}', '\u{2028}', '\u{3000}']),
        position in any::<proptest::sample::Index>(),
    ) {
        // An encoding whose source chain has whitespace or a control character in it,
        // built by hand since `encode` refuses it, does not decode either.
        let mut source_chain: Vec<char> = message.source_chain.chars().collect();
        source_chain.insert(position.index(source_chain.len() + 1), bad);
        let source_chain: String = source_chain.into_iter().collect();
        prop_assume!(source_chain.len() <= MAX_CHAIN_ID_BYTES);

        let mut invalid = message.clone();
        invalid.source_chain = source_chain.clone();
        let expected = MessageError::InvalidChainIdCharacter {
            field: "source_chain",
            value: source_chain.clone(),
        };
        prop_assert_eq!(invalid.encode(), Err(expected.clone()));

        let valid = message.encode().unwrap();
        let old_len = message.source_chain.len();
        let mut bytes = valid[..9].to_vec();
        bytes.extend_from_slice(&(source_chain.len() as u16).to_be_bytes());
        bytes.extend_from_slice(source_chain.as_bytes());
        bytes.extend_from_slice(&valid[11 + old_len..]);
        prop_assert_eq!(Message::decode(&bytes), Err(expected));
    }
}
