//! The inbox's `execute` (and `reply` for receivers that fail) on fuzz input against
//! prepared states: see `ccmp_fuzz::inbox` for the states, the input format and the checks
//! (no panic; an `Err` leaves the storage byte-for-byte unchanged; statuses only move
//! forwards; the state stays readable).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| ccmp_fuzz::inbox::run_input(data));
