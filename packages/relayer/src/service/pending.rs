//! Which of a lane's messages may still need delivering.
//!
//! The inbox is the truth: a nonce counts as done here only once the inbox said so (its
//! `message_status`, its `next_nonce` on an ordered source, or a delivery transaction that
//! succeeded). The lane's nonces split in two at `live_from`, the lane's size when the
//! relayer started: **backfill** below it (sent while no relayer of this process ran:
//! their status is unknown until scanned) and **live** from it. Each iteration takes at
//! most `max_live` live and `max_backfill` backfill candidates, both oldest first, so a
//! long backlog is worked off in bounded chunks beside live traffic, never instead of it.
//! Oldest first because an ordered source can only take nonces in order, and because the
//! oldest messages are the nearest to their timeouts.

/// Done nonces of one lane, as a bitmap, and the two scan positions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PendingTracker {
    done: Vec<u64>,
    live_from: u64,
    /// Every nonce below it is done (backfill and live share the bitmap).
    floor: u64,
    /// Every live nonce in `live_from..live_floor` is done.
    live_floor: u64,
}

/// One iteration's candidates, oldest first in each part.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Candidates {
    pub live: Vec<u64>,
    pub backfill: Vec<u64>,
}

impl Candidates {
    /// Both parts in nonce order.
    pub fn all(&self) -> Vec<u64> {
        let mut all: Vec<u64> = self.backfill.iter().chain(&self.live).copied().collect();
        all.sort_unstable();
        all
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty() && self.backfill.is_empty()
    }
}

impl PendingTracker {
    /// A tracker for a lane that had `live_from` messages when the relayer started.
    pub fn new(live_from: u64) -> Self {
        PendingTracker {
            done: Vec::new(),
            live_from,
            floor: 0,
            live_floor: live_from,
        }
    }

    pub fn live_from(&self) -> u64 {
        self.live_from
    }

    /// The lowest nonce not known to be done.
    pub fn floor(&self) -> u64 {
        self.floor
    }

    pub fn is_done(&self, nonce: u64) -> bool {
        let (word, bit) = ((nonce / 64) as usize, nonce % 64);
        self.done.get(word).is_some_and(|w| w & (1 << bit) != 0)
    }

    pub fn mark_done(&mut self, nonce: u64) {
        let (word, bit) = ((nonce / 64) as usize, nonce % 64);
        if self.done.len() <= word {
            self.done.resize(word + 1, 0);
        }
        self.done[word] |= 1 << bit;
    }

    /// Marks every nonce below `end` done (an ordered source's `next_nonce`).
    pub fn mark_done_below(&mut self, end: u64) {
        if end == 0 {
            return;
        }
        let full = (end / 64) as usize;
        let words = full + usize::from(!end.is_multiple_of(64));
        if self.done.len() < words {
            self.done.resize(words, 0);
        }
        for word in &mut self.done[..full] {
            *word = u64::MAX;
        }
        if !end.is_multiple_of(64) {
            self.done[full] |= (1u64 << (end % 64)) - 1;
        }
    }

    fn advance_floors(&mut self, limit: u64) {
        while self.floor < limit && self.is_done(self.floor) {
            self.floor += 1;
        }
        self.live_floor = self.live_floor.max(self.live_from);
        while self.live_floor < limit && self.is_done(self.live_floor) {
            self.live_floor += 1;
        }
    }

    /// Up to `max_live` live and `max_backfill` backfill nonces below `limit` (the
    /// nonces the relayer can prove) that are not done and that `skip` does not exclude
    /// (messages isolated for now), oldest first.
    pub fn candidates(
        &mut self,
        limit: u64,
        max_live: usize,
        max_backfill: usize,
        skip: impl Fn(u64) -> bool,
    ) -> Candidates {
        self.advance_floors(limit);
        let pick = |from: u64, to: u64, max: usize| {
            (from..to)
                .filter(|&nonce| !self.is_done(nonce) && !skip(nonce))
                .take(max)
                .collect::<Vec<_>>()
        };
        Candidates {
            backfill: pick(self.floor, self.live_from.min(limit), max_backfill),
            live: pick(self.live_floor.max(self.floor), limit, max_live),
        }
    }

    /// The nonces below `known` not known to be done.
    pub fn outstanding(&self, known: u64) -> u64 {
        let full = (known / 64) as usize;
        let mut done: u64 = self
            .done
            .iter()
            .take(full)
            .map(|w| u64::from(w.count_ones()))
            .sum();
        if !known.is_multiple_of(64) {
            if let Some(word) = self.done.get(full) {
                done += u64::from((word & ((1u64 << (known % 64)) - 1)).count_ones());
            }
        }
        known - done.min(known)
    }
}
