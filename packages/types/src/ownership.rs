//! Two-step ownership, written once for every CCMP contract: the owner proposes, the new
//! owner accepts, so a typo can never hand a contract to an address nobody controls.

use cosmwasm_schema::cw_serde;
use cosmwasm_std::{Addr, Api, Attribute};

use crate::error::OwnershipError;

#[cw_serde]
pub struct Ownership {
    /// `None` once renounced: the contract then has no owner, for good.
    pub owner: Option<Addr>,
    pub pending_owner: Option<Addr>,
}

impl Ownership {
    pub fn new(owner: Addr) -> Self {
        Ownership {
            owner: Some(owner),
            pending_owner: None,
        }
    }

    pub fn assert_owner(&self, sender: &Addr) -> Result<(), OwnershipError> {
        match &self.owner {
            None => Err(OwnershipError::NoOwner),
            Some(owner) if owner == sender => Ok(()),
            Some(_) => Err(OwnershipError::NotOwner),
        }
    }

    /// Proposes `new_owner`; replaces any earlier proposal.
    pub fn transfer(&mut self, sender: &Addr, new_owner: Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        self.pending_owner = Some(new_owner);
        Ok(())
    }

    pub fn accept(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        match &self.pending_owner {
            None => Err(OwnershipError::NoPendingTransfer),
            Some(pending) if pending == sender => {
                self.owner = self.pending_owner.take();
                Ok(())
            }
            Some(_) => Err(OwnershipError::NotPendingOwner),
        }
    }

    /// Withdraws a pending proposal.
    pub fn cancel(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        if self.pending_owner.take().is_none() {
            return Err(OwnershipError::NoPendingTransfer);
        }
        Ok(())
    }

    /// Gives up ownership for good, and any pending proposal with it.
    pub fn renounce(&mut self, sender: &Addr) -> Result<(), OwnershipError> {
        self.assert_owner(sender)?;
        self.owner = None;
        self.pending_owner = None;
        Ok(())
    }
}

/// The ownership messages every CCMP contract's `ExecuteMsg` offers, as one action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OwnershipAction {
    Transfer { new_owner: String },
    Accept,
    Cancel,
    Renounce,
}

impl Ownership {
    /// Carries out `action` by `sender` and returns the response attributes (`action`, and
    /// `pending_owner` or `owner` where they change). The owner's authority is checked
    /// before the proposed address, so anyone but the owner hears "unauthorized" whatever
    /// they sent.
    pub fn apply(
        &mut self,
        api: &dyn Api,
        sender: &Addr,
        action: OwnershipAction,
    ) -> Result<Vec<Attribute>, OwnershipError> {
        fn attribute(key: &str, value: impl Into<String>) -> Attribute {
            Attribute::new(key, value)
        }
        Ok(match action {
            OwnershipAction::Transfer { new_owner } => {
                self.assert_owner(sender)?;
                let new_owner = api
                    .addr_validate(&new_owner)
                    .map_err(|_| OwnershipError::InvalidAddress { address: new_owner })?;
                self.transfer(sender, new_owner.clone())?;
                vec![
                    attribute("action", "transfer_ownership"),
                    attribute("pending_owner", new_owner),
                ]
            }
            OwnershipAction::Accept => {
                self.accept(sender)?;
                vec![
                    attribute("action", "accept_ownership"),
                    attribute("owner", sender.as_str()),
                ]
            }
            OwnershipAction::Cancel => {
                self.cancel(sender)?;
                vec![attribute("action", "cancel_ownership_transfer")]
            }
            OwnershipAction::Renounce => {
                self.renounce(sender)?;
                vec![attribute("action", "renounce_ownership")]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(name: &str) -> Addr {
        Addr::unchecked(name)
    }

    #[test]
    fn hand_over_needs_both_steps() {
        let mut ownership = Ownership::new(addr("alice"));
        assert_eq!(
            ownership.transfer(&addr("bob"), addr("bob")),
            Err(OwnershipError::NotOwner)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        // Proposed is not owner yet.
        assert_eq!(
            ownership.assert_owner(&addr("bob")),
            Err(OwnershipError::NotOwner)
        );
        assert_eq!(
            ownership.accept(&addr("carol")),
            Err(OwnershipError::NotPendingOwner)
        );
        ownership.accept(&addr("bob")).unwrap();
        assert_eq!(
            ownership,
            Ownership {
                owner: Some(addr("bob")),
                pending_owner: None
            }
        );
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
    }

    #[test]
    fn apply_checks_authority_before_the_address_and_names_what_changed() {
        let api = cosmwasm_std::testing::MockApi::default();
        let (alice, bob) = (api.addr_make("alice"), api.addr_make("bob"));
        let mut ownership = Ownership::new(alice.clone());
        let transfer = |to: &str| OwnershipAction::Transfer {
            new_owner: to.to_string(),
        };
        assert_eq!(
            ownership.apply(&api, &bob, transfer("not-an-address")),
            Err(OwnershipError::NotOwner)
        );
        assert_eq!(
            ownership.apply(&api, &alice, transfer("not-an-address")),
            Err(OwnershipError::InvalidAddress {
                address: "not-an-address".into()
            })
        );
        assert_eq!(
            ownership
                .apply(&api, &alice, transfer(bob.as_str()))
                .unwrap(),
            vec![
                Attribute::new("action", "transfer_ownership"),
                Attribute::new("pending_owner", bob.as_str())
            ]
        );
        assert_eq!(
            ownership
                .apply(&api, &bob, OwnershipAction::Accept)
                .unwrap(),
            vec![
                Attribute::new("action", "accept_ownership"),
                Attribute::new("owner", bob.as_str())
            ]
        );
        assert_eq!(
            ownership.apply(&api, &bob, OwnershipAction::Cancel),
            Err(OwnershipError::NoPendingTransfer)
        );
        assert_eq!(
            ownership
                .apply(&api, &bob, OwnershipAction::Renounce)
                .unwrap(),
            vec![Attribute::new("action", "renounce_ownership")]
        );
        assert_eq!(ownership.owner, None);
    }

    #[test]
    fn cancel_and_renounce() {
        let mut ownership = Ownership::new(addr("alice"));
        assert_eq!(
            ownership.cancel(&addr("alice")),
            Err(OwnershipError::NoPendingTransfer)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        ownership.cancel(&addr("alice")).unwrap();
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
        ownership.transfer(&addr("alice"), addr("bob")).unwrap();
        ownership.renounce(&addr("alice")).unwrap();
        assert_eq!(
            ownership,
            Ownership {
                owner: None,
                pending_owner: None
            }
        );
        assert_eq!(
            ownership.assert_owner(&addr("alice")),
            Err(OwnershipError::NoOwner)
        );
        assert_eq!(
            ownership.accept(&addr("bob")),
            Err(OwnershipError::NoPendingTransfer)
        );
    }
}
