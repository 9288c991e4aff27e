//! The `ccmp` program's library: what its commands do, so that tests and the benchmark run
//! exactly the code the binary runs.

pub mod demo;
pub mod deploy;
pub mod inspect;
pub mod keys;
pub mod logging;
