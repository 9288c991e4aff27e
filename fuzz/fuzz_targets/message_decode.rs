//! `Message::decode` on arbitrary bytes (PROTOCOL.md §2): never panics; what it accepts
//! encodes back to exactly the input, its id is the leaf hash of the input, and its JSON
//! form round-trips. The same bytes, read as an arbitrary message, check the other
//! direction: what `encode` accepts decodes back to itself, and `validate` agrees.
#![no_main]

use arbitrary::Unstructured;
use ccmp_types::{leaf_hash, Message};
use cosmwasm_std::{from_json, to_json_vec, Binary, Timestamp};
use libfuzzer_sys::fuzz_target;

fn arbitrary_message(u: &mut Unstructured) -> arbitrary::Result<Message> {
    Ok(Message {
        nonce: u.arbitrary()?,
        source_chain: u.arbitrary()?,
        sender: u.arbitrary()?,
        destination_chain: u.arbitrary()?,
        recipient: u.arbitrary()?,
        timeout_timestamp: u.arbitrary::<Option<u64>>()?.map(Timestamp::from_nanos),
        body: Binary::new(u.arbitrary()?),
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::decode(data) {
        let encoded = message.encode().expect("a decoded message encodes");
        assert_eq!(encoded, data, "encode(decode(x)) != x");
        assert_eq!(message.message_id().expect("id"), leaf_hash(data));
        let (bytes, id) = message.encode_with_id().expect("encode_with_id");
        assert_eq!((bytes.as_slice(), id), (data, leaf_hash(data)));
        message.validate().expect("a decoded message is valid");
        let json = to_json_vec(&message).expect("JSON");
        let back: Message = from_json(&json).expect("its JSON parses");
        assert_eq!(back, message, "JSON round trip");
    }

    let mut u = Unstructured::new(data);
    if let Ok(message) = arbitrary_message(&mut u) {
        match message.encode() {
            Ok(bytes) => {
                message
                    .validate()
                    .expect("encode accepted an invalid message");
                let decoded = Message::decode(&bytes).expect("an encoded message decodes");
                assert_eq!(decoded, message, "decode(encode(m)) != m");
                assert_eq!(message.message_id().expect("id"), leaf_hash(&bytes));
            }
            Err(_) => assert!(
                message.validate().is_err(),
                "encode refused a valid message"
            ),
        }
    }
});
