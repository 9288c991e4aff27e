//! What a corpus reaches in the inbox: replays every file of the given directories
//! through the inbox_execute harness (with its checks) and counts, per message, the
//! outcomes (`ok`, `ok+Nsubmsgs`, or the error variant). In fuzz/:
//! `cargo run --release --example reach -- corpus/inbox_execute <more dirs>`.

use std::collections::BTreeMap;

fn main() {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut files = 0;
    for dir in std::env::args().skip(1) {
        for entry in std::fs::read_dir(&dir).expect("a corpus directory") {
            let data = std::fs::read(entry.expect("entry").path()).expect("readable");
            ccmp_fuzz::inbox::start_trace();
            ccmp_fuzz::inbox::run_input(&data);
            for call in ccmp_fuzz::inbox::take_trace() {
                *counts.entry(call).or_default() += 1;
            }
            files += 1;
        }
    }
    println!("{files} inputs");
    let mut last = String::new();
    for ((msg, outcome), count) in counts {
        if msg != last {
            println!("{msg}");
            last = msg.clone();
        }
        println!("    {outcome:<32} {count}");
    }
}
