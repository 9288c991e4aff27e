//! What a failure means for the relayer: each class has one reaction, so nothing is
//! retried blindly.

use ccmp_chain::ChainError;

/// The SDK's out-of-gas code (codespace `sdk`).
const CODE_OUT_OF_GAS: u32 = 11;

/// A failure's class, and so what the relayer does about it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorClass {
    /// The node was unreachable or slow: retried with backoff.
    Transient,
    /// The transaction ran out of gas: tried once more with a bigger limit, then the
    /// batch is split.
    OutOfGas,
    /// The message was already processed (a `retry` of a message no longer `failed`):
    /// skipped.
    AlreadyProcessed,
    /// The inbox froze the source: the lane stops delivering and reports it.
    SourceFrozen,
    /// The inbox is paused: the lane waits.
    Paused,
    /// Too many items or too big a transaction: the batch is halved.
    BatchTooLarge,
    /// A proof the inbox refused: the lane resyncs from chain state.
    BadProof,
    /// The checkpoint named is not stored (any more: a rollback): resync.
    UnknownCheckpoint,
    /// A checkpoint behind the inbox's latest (another relayer was faster): resync.
    StaleCheckpoint,
    /// An ordered source expects another nonce first: resync.
    NonceGap,
    /// Signatures the inbox refused (the attester set changed under the relayer): resync.
    Attestation,
    /// The source's events lacked messages the outbox holds: the lane read them again.
    MissedEvents,
    /// Anything else: counted by class; a batch that fails so is split until the message
    /// that fails is alone, which is then skipped for the round.
    Other,
}

impl ErrorClass {
    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorClass::Transient => "transient",
            ErrorClass::OutOfGas => "out_of_gas",
            ErrorClass::AlreadyProcessed => "already_processed",
            ErrorClass::SourceFrozen => "source_frozen",
            ErrorClass::Paused => "paused",
            ErrorClass::BatchTooLarge => "batch_too_large",
            ErrorClass::BadProof => "bad_proof",
            ErrorClass::UnknownCheckpoint => "unknown_checkpoint",
            ErrorClass::StaleCheckpoint => "stale_checkpoint",
            ErrorClass::NonceGap => "nonce_gap",
            ErrorClass::Attestation => "attestation",
            ErrorClass::MissedEvents => "missed_events",
            ErrorClass::Other => "other",
        }
    }

    /// Whether the lane should drop what it believes about the inbox and read it again.
    pub fn needs_resync(self) -> bool {
        matches!(
            self,
            ErrorClass::BadProof
                | ErrorClass::UnknownCheckpoint
                | ErrorClass::StaleCheckpoint
                | ErrorClass::NonceGap
                | ErrorClass::Attestation
        )
    }

    /// Whether a smaller batch may succeed where this one failed.
    pub fn is_size(self) -> bool {
        matches!(self, ErrorClass::BatchTooLarge | ErrorClass::OutOfGas)
    }
}

impl std::fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The class of a chain error: by its kind, then by the inbox's error text in the log
/// (README: the inbox's errors; wasmd passes a contract's error on in the log).
pub fn classify(error: &ChainError) -> ErrorClass {
    if error.is_transient() {
        return ErrorClass::Transient;
    }
    match error {
        ChainError::TxFailed { code, log, .. } => {
            // A frozen source or a bad proof is what the log says first; out of gas is
            // by code or text.
            let by_log = classify_log(log);
            if by_log == ErrorClass::Other && *code == CODE_OUT_OF_GAS {
                ErrorClass::OutOfGas
            } else {
                by_log
            }
        }
        ChainError::Rejected { log } | ChainError::SimulationFailed { log } => classify_log(log),
        ChainError::Query { error, .. } => classify_log(error),
        _ => ErrorClass::Other,
    }
}

/// The class of an error text (a transaction log, a simulation's or a query's error).
pub fn classify_log(log: &str) -> ErrorClass {
    let log = log.to_ascii_lowercase();
    let has = |needle: &str| log.contains(needle);
    if has("is frozen (rollback at most") {
        ErrorClass::SourceFrozen
    } else if has("inbox is paused") {
        ErrorClass::Paused
    } else if has("only a failed message can be retried") {
        ErrorClass::AlreadyProcessed
    } else if has("has no stored checkpoint of size") {
        ErrorClass::UnknownCheckpoint
    } else if has("is behind the latest stored checkpoint") {
        ErrorClass::StaleCheckpoint
    } else if has("expects nonce") {
        ErrorClass::NonceGap
    } else if has("inclusion proof of nonce")
        || has("consistency proof from size")
        || has("is not in the checkpoint of size")
        || (has("multiproof") && (has("refused") || has("not a multiple of 32")))
        || (has("proof has") && has("more than the limit"))
    {
        ErrorClass::BadProof
    } else if has("more than the batch limit")
        || has("tx too large")
        || has("max tx bytes")
        || has("exceeds block gas limit")
        || has("exceeds maximum block")
    {
        ErrorClass::BatchTooLarge
    } else if has("signed weight")
        || has("signature of attester")
        || has("signature index")
        || has("signatures submitted but the set has only")
    {
        ErrorClass::Attestation
    } else if has("out of gas") {
        ErrorClass::OutOfGas
    } else {
        ErrorClass::Other
    }
}
