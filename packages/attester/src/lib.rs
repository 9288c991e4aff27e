//! # ccmp-attester
//!
//! The attester service (work in progress): see [`api`] for its HTTP interface.

pub mod api;
