//! The CCMP message (PROTOCOL.md §2): its JSON form, its byte encoding and its id.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Binary, Timestamp};

use crate::codec::{put_str, Hash, Reader};
use crate::error::{CodecError, MessageError};
use crate::merkle::leaf_hash;

/// The only wire version this crate speaks.
pub const MESSAGE_VERSION: u8 = 1;
/// Chain ids are 1 to 64 bytes.
pub const MAX_CHAIN_ID_BYTES: usize = 64;
/// Senders and recipients are 1 to 256 bytes.
pub const MAX_ADDRESS_BYTES: usize = 256;
/// The body limit a contract applies unless configured otherwise.
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024;

/// Everything but the variable-length fields: version, nonce, four str prefixes,
/// timeout and body length.
const FIXED_ENCODING_BYTES: usize = 1 + 8 + 4 * 2 + 8 + 4;

/// A cross-chain message. Its JSON is exactly PROTOCOL.md §6: `version` is not a field
/// (it is always 1 on the wire) and `timeout_timestamp` is `null` for none.
#[cw_serde]
#[serde(deny_unknown_fields)]
#[schemaifier(mute_warnings)]
pub struct Message {
    /// 0-based position in the lane (source chain, source outbox, destination chain).
    pub nonce: u64,
    pub source_chain: String,
    /// The sending address on the source chain.
    pub sender: String,
    pub destination_chain: String,
    /// The receiving address on the destination chain.
    pub recipient: String,
    /// Destination block time at and after which the message times out.
    pub timeout_timestamp: Option<Timestamp>,
    pub body: Binary,
}

/// Checks a chain id: 1 to 64 bytes, with no whitespace or control characters, so a
/// chain id can never be confused with another by invisible or padding characters.
pub fn validate_chain_id(field: &'static str, chain_id: &str) -> Result<(), MessageError> {
    check_length(field, chain_id.len(), 1, MAX_CHAIN_ID_BYTES)?;
    if chain_id
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(MessageError::InvalidChainIdCharacter {
            field,
            value: chain_id.to_string(),
        });
    }
    Ok(())
}

/// Checks a sender or recipient address string: 1 to 256 bytes.
pub fn validate_address(field: &'static str, address: &str) -> Result<(), MessageError> {
    check_length(field, address.len(), 1, MAX_ADDRESS_BYTES)
}

/// Checks a body against a configured limit.
pub fn validate_body(body: &[u8], max_body_bytes: usize) -> Result<(), MessageError> {
    if body.len() > max_body_bytes {
        return Err(MessageError::BodyTooLarge {
            len: body.len(),
            max: max_body_bytes,
        });
    }
    Ok(())
}

fn check_length(
    field: &'static str,
    len: usize,
    min: usize,
    max: usize,
) -> Result<(), MessageError> {
    if len < min || len > max {
        return Err(MessageError::FieldLength {
            field,
            len,
            min,
            max,
        });
    }
    Ok(())
}

impl Message {
    /// Checks every limit of §2 that does not depend on configuration. `encode` and
    /// `decode` both call it, so a message that encodes always decodes back to itself.
    pub fn validate(&self) -> Result<(), MessageError> {
        validate_chain_id("source_chain", &self.source_chain)?;
        validate_address("sender", &self.sender)?;
        validate_chain_id("destination_chain", &self.destination_chain)?;
        validate_address("recipient", &self.recipient)?;
        // 0 is "none" on the wire; accepting Some(0) would give two JSON forms one id.
        if self.timeout_timestamp.is_some_and(|t| t.nanos() == 0) {
            return Err(MessageError::ZeroTimeout);
        }
        if u32::try_from(self.body.len()).is_err() {
            return Err(CodecError::TooLong {
                field: "body",
                len: self.body.len(),
                max: u32::MAX as usize,
            }
            .into());
        }
        Ok(())
    }

    /// The timeout as it is encoded: nanoseconds, 0 for none.
    pub fn timeout_nanos(&self) -> u64 {
        self.timeout_timestamp.map_or(0, |t| t.nanos())
    }

    /// Whether the message has timed out at destination block time `now` (§7).
    pub fn is_timed_out(&self, now: Timestamp) -> bool {
        let timeout = self.timeout_nanos();
        timeout != 0 && now.nanos() >= timeout
    }

    /// `message_bytes` of §2.
    pub fn encode(&self) -> Result<Vec<u8>, MessageError> {
        self.validate()?;
        let mut out = Vec::with_capacity(
            FIXED_ENCODING_BYTES
                + self.source_chain.len()
                + self.sender.len()
                + self.destination_chain.len()
                + self.recipient.len()
                + self.body.len(),
        );
        out.push(MESSAGE_VERSION);
        out.extend_from_slice(&self.nonce.to_be_bytes());
        put_str(&mut out, "source_chain", &self.source_chain)?;
        put_str(&mut out, "sender", &self.sender)?;
        put_str(&mut out, "destination_chain", &self.destination_chain)?;
        put_str(&mut out, "recipient", &self.recipient)?;
        out.extend_from_slice(&self.timeout_nanos().to_be_bytes());
        // validate() has bounded the body by u32::MAX.
        out.extend_from_slice(&(self.body.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.body);
        Ok(out)
    }

    /// Strict inverse of `encode`: any other version, a short input, a length running past
    /// the end, bad UTF-8, trailing bytes or a field outside the §2 limits is an error.
    pub fn decode(bytes: &[u8]) -> Result<Self, MessageError> {
        let mut reader = Reader::new(bytes);
        let version = reader.u8("version")?;
        if version != MESSAGE_VERSION {
            return Err(MessageError::UnsupportedVersion { version });
        }
        let nonce = reader.u64("nonce")?;
        let source_chain = reader.str("source_chain")?;
        let sender = reader.str("sender")?;
        let destination_chain = reader.str("destination_chain")?;
        let recipient = reader.str("recipient")?;
        let timeout = reader.u64("timeout_timestamp")?;
        let body_len = reader.u32("body")? as usize;
        let body = reader.take("body", body_len)?.to_vec();
        reader.finish()?;
        let message = Message {
            nonce,
            source_chain,
            sender,
            destination_chain,
            recipient,
            timeout_timestamp: (timeout != 0).then(|| Timestamp::from_nanos(timeout)),
            body: Binary::new(body),
        };
        message.validate()?;
        Ok(message)
    }

    /// `message_id = SHA-256(0x00 || message_bytes)`: also the message's leaf in its lane.
    /// (Not named `id`: `#[cw_serde]`'s schema derive calls `Self::id()` unqualified.)
    pub fn message_id(&self) -> Result<Hash, MessageError> {
        Ok(leaf_hash(&self.encode()?))
    }

    /// The encoding and the id together, for callers (the outbox) that need both and
    /// should encode once.
    pub fn encode_with_id(&self) -> Result<(Vec<u8>, Hash), MessageError> {
        let bytes = self.encode()?;
        let id = leaf_hash(&bytes);
        Ok((bytes, id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn sample() -> Message {
        Message {
            nonce: 3,
            source_chain: "chain-a".to_string(),
            sender: "cosmwasm1sender".to_string(),
            destination_chain: "chain-b".to_string(),
            recipient: "cosmwasm1receiver".to_string(),
            timeout_timestamp: Some(Timestamp::from_nanos(42)),
            body: Binary::from(b"hi".as_slice()),
        }
    }

    #[test]
    fn round_trips() {
        let message = sample();
        let bytes = message.encode().unwrap();
        assert_eq!(bytes.len(), FIXED_ENCODING_BYTES + 7 + 15 + 7 + 17 + 2);
        assert_eq!(Message::decode(&bytes).unwrap(), message);
    }

    #[test]
    fn json_is_exactly_the_spec_shape() {
        let json = cosmwasm_std::to_json_string(&sample()).unwrap();
        assert_eq!(
            json,
            r#"{"nonce":3,"source_chain":"chain-a","sender":"cosmwasm1sender","destination_chain":"chain-b","recipient":"cosmwasm1receiver","timeout_timestamp":"42","body":"aGk="}"#
        );
        let none: Message = cosmwasm_std::from_json(
            r#"{"nonce":0,"source_chain":"a","sender":"s","destination_chain":"b","recipient":"r","timeout_timestamp":null,"body":""}"#,
        )
        .unwrap();
        assert_eq!(none.timeout_timestamp, None);
        // A `version` field (or any other unknown field) is refused, not ignored.
        let err = cosmwasm_std::from_json::<Message>(
            r#"{"version":1,"nonce":0,"source_chain":"a","sender":"s","destination_chain":"b","recipient":"r","timeout_timestamp":null,"body":""}"#,
        );
        assert!(err.is_err());
    }

    #[test]
    fn chain_id_limits() {
        assert!(validate_chain_id("c", &"a".repeat(64)).is_ok());
        assert_eq!(
            validate_chain_id("c", &"a".repeat(65)).unwrap_err(),
            MessageError::FieldLength {
                field: "c",
                len: 65,
                min: 1,
                max: 64
            }
        );
        assert_eq!(
            validate_chain_id("c", "").unwrap_err(),
            MessageError::FieldLength {
                field: "c",
                len: 0,
                min: 1,
                max: 64
            }
        );
        for bad in [
            "chain a",
            "chain\ta",
            "chain\u{0}",
            "chain\u{7f}",
            "a\u{a0}b",
            "a\u{2028}",
        ] {
            assert_eq!(
                validate_chain_id("c", bad).unwrap_err(),
                MessageError::InvalidChainIdCharacter {
                    field: "c",
                    value: bad.to_string()
                },
                "{bad:?}"
            );
        }
        assert!(validate_chain_id("c", "ünïcødé-chain").is_ok());
    }

    #[test]
    fn address_and_body_limits() {
        let mut message = sample();
        message.sender = "s".repeat(256);
        message.recipient = "r".repeat(256);
        assert!(message.encode().is_ok());
        message.sender = "s".repeat(257);
        assert_eq!(
            message.encode().unwrap_err(),
            MessageError::FieldLength {
                field: "sender",
                len: 257,
                min: 1,
                max: 256
            }
        );
        message.sender = "s".into();
        message.recipient = String::new();
        assert_eq!(
            message.encode().unwrap_err(),
            MessageError::FieldLength {
                field: "recipient",
                len: 0,
                min: 1,
                max: 256
            }
        );
        assert!(validate_body(&[0; DEFAULT_MAX_BODY_BYTES], DEFAULT_MAX_BODY_BYTES).is_ok());
        assert_eq!(
            validate_body(&[0; DEFAULT_MAX_BODY_BYTES + 1], DEFAULT_MAX_BODY_BYTES).unwrap_err(),
            MessageError::BodyTooLarge {
                len: 65_537,
                max: 65_536
            }
        );
    }

    #[test]
    fn zero_timeout_must_be_null() {
        let mut message = sample();
        message.timeout_timestamp = Some(Timestamp::from_nanos(0));
        assert_eq!(message.encode().unwrap_err(), MessageError::ZeroTimeout);
    }

    #[test]
    fn timeout_rule() {
        let mut message = sample();
        assert!(!message.is_timed_out(Timestamp::from_nanos(41)));
        assert!(message.is_timed_out(Timestamp::from_nanos(42)));
        assert!(message.is_timed_out(Timestamp::from_nanos(43)));
        message.timeout_timestamp = None;
        assert!(!message.is_timed_out(Timestamp::from_nanos(u64::MAX)));
    }

    #[test]
    fn decode_rejects_each_malformation() {
        let good = sample().encode().unwrap();

        let mut wrong_version = good.clone();
        wrong_version[0] = 2;
        assert_eq!(
            Message::decode(&wrong_version).unwrap_err(),
            MessageError::UnsupportedVersion { version: 2 }
        );

        assert_eq!(
            Message::decode(&[]).unwrap_err(),
            CodecError::UnexpectedEnd {
                field: "version",
                needed: 1,
                remaining: 0
            }
            .into()
        );
        assert_eq!(
            Message::decode(&good[..good.len() - 1]).unwrap_err(),
            CodecError::UnexpectedEnd {
                field: "body",
                needed: 2,
                remaining: 1
            }
            .into()
        );

        // source_chain's length prefix claims more bytes than the input holds.
        let mut over_long = good.clone();
        over_long[9] = 0xff;
        assert!(matches!(
            Message::decode(&over_long).unwrap_err(),
            MessageError::Codec(CodecError::UnexpectedEnd {
                field: "source_chain",
                ..
            })
        ));

        let mut trailing = good.clone();
        trailing.push(0);
        assert_eq!(
            Message::decode(&trailing).unwrap_err(),
            CodecError::TrailingBytes { count: 1 }.into()
        );

        // First byte of source_chain's text, after version (1), nonce (8), length (2).
        let mut bad_utf8 = good.clone();
        bad_utf8[11] = 0xff;
        assert_eq!(
            Message::decode(&bad_utf8).unwrap_err(),
            CodecError::InvalidUtf8 {
                field: "source_chain"
            }
            .into()
        );

        let mut space_in_chain = good;
        space_in_chain[11] = b' ';
        assert_eq!(
            Message::decode(&space_in_chain).unwrap_err(),
            MessageError::InvalidChainIdCharacter {
                field: "source_chain",
                value: " hain-a".to_string()
            }
        );
    }
}
