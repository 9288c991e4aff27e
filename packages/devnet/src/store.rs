//! The chain's key-value state with cache layers, the way the SDK branches a context
//! (`CacheContext`): every sub-message and every transaction writes into a layer of its
//! own, which is merged into the one below on success and dropped on failure.

use std::collections::BTreeMap;
use std::ops::Bound;

use cosmwasm_std::{Order, Record};

#[derive(Default, Debug)]
pub(crate) struct LayeredStore {
    base: BTreeMap<Vec<u8>, Vec<u8>>,
    /// Pending writes, innermost last; `None` is a deletion.
    layers: Vec<BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
}

impl LayeredStore {
    pub fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        for layer in self.layers.iter().rev() {
            if let Some(entry) = layer.get(key) {
                return entry.clone();
            }
        }
        self.base.get(key).cloned()
    }

    pub fn set(&mut self, key: &[u8], value: &[u8]) {
        match self.layers.last_mut() {
            Some(layer) => {
                layer.insert(key.to_vec(), Some(value.to_vec()));
            }
            None => {
                self.base.insert(key.to_vec(), value.to_vec());
            }
        }
    }

    pub fn remove(&mut self, key: &[u8]) {
        match self.layers.last_mut() {
            Some(layer) => {
                layer.insert(key.to_vec(), None);
            }
            None => {
                self.base.remove(key);
            }
        }
    }

    /// The entries with `start <= key < end` as every layer sees them, in `order`.
    pub fn range(&self, start: Option<&[u8]>, end: Option<&[u8]>, order: Order) -> Vec<Record> {
        if let (Some(s), Some(e)) = (start, end) {
            if s >= e {
                return Vec::new();
            }
        }
        let bounds = (
            start.map_or(Bound::Unbounded, |s| Bound::Included(s.to_vec())),
            end.map_or(Bound::Unbounded, |e| Bound::Excluded(e.to_vec())),
        );
        let mut merged: BTreeMap<Vec<u8>, Vec<u8>> = self
            .base
            .range(bounds.clone())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for layer in &self.layers {
            for (k, v) in layer.range(bounds.clone()) {
                match v {
                    Some(v) => merged.insert(k.clone(), v.clone()),
                    None => merged.remove(k),
                };
            }
        }
        let records = merged.into_iter();
        match order {
            Order::Ascending => records.collect(),
            Order::Descending => records.rev().collect(),
        }
    }

    /// Starts a cache layer (a branched context).
    pub fn push(&mut self) {
        self.layers.push(BTreeMap::new());
    }

    /// Writes the innermost layer into the one below it.
    pub fn commit(&mut self) {
        let Some(top) = self.layers.pop() else {
            return;
        };
        for (k, v) in top {
            match (self.layers.last_mut(), v) {
                (Some(below), v) => {
                    below.insert(k, v);
                }
                (None, Some(v)) => {
                    self.base.insert(k, v);
                }
                (None, None) => {
                    self.base.remove(&k);
                }
            }
        }
    }

    /// Drops the innermost layer and everything written in it.
    pub fn discard(&mut self) {
        self.layers.pop();
    }

    #[cfg(test)]
    pub fn depth(&self) -> usize {
        self.layers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(records: &[Record]) -> Vec<&[u8]> {
        records.iter().map(|(k, _)| k.as_slice()).collect()
    }

    #[test]
    fn a_discarded_layer_leaves_no_trace() {
        let mut store = LayeredStore::default();
        store.set(b"a", b"1");
        store.push();
        store.set(b"a", b"2");
        store.set(b"b", b"3");
        store.remove(b"a");
        assert_eq!(store.get(b"a"), None);
        store.discard();
        assert_eq!(store.get(b"a"), Some(b"1".to_vec()));
        assert_eq!(store.get(b"b"), None);
        assert_eq!(store.depth(), 0);
    }

    #[test]
    fn committed_layers_reach_the_base_only_through_every_level() {
        let mut store = LayeredStore::default();
        store.set(b"keep", b"0");
        store.push();
        store.push();
        store.set(b"x", b"inner");
        store.remove(b"keep");
        store.commit();
        // Still pending in the outer layer: dropping it drops both writes.
        assert_eq!(store.get(b"x"), Some(b"inner".to_vec()));
        store.discard();
        assert_eq!(store.get(b"x"), None);
        assert_eq!(store.get(b"keep"), Some(b"0".to_vec()));

        store.push();
        store.remove(b"keep");
        store.commit();
        assert_eq!(store.get(b"keep"), None);
        assert!(store.range(None, None, Order::Ascending).is_empty());
    }

    #[test]
    fn ranges_merge_layers_and_honour_bounds_and_order() {
        let mut store = LayeredStore::default();
        for k in [b"a", b"b", b"c", b"d"] {
            store.set(k, k);
        }
        store.push();
        store.remove(b"b");
        store.set(b"bb", b"new");
        let all = store.range(None, None, Order::Ascending);
        assert_eq!(keys(&all), vec![&b"a"[..], b"bb", b"c", b"d"]);
        let some = store.range(Some(b"b"), Some(b"d"), Order::Descending);
        assert_eq!(keys(&some), vec![&b"c"[..], b"bb"]);
        assert!(store
            .range(Some(b"d"), Some(b"b"), Order::Ascending)
            .is_empty());
    }
}
